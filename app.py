"""relgraph's Streamlit entry point: the frame and navigation over the pages in ui/."""

import streamlit as st

# No page_icon: Streamlit would fetch a material-icon favicon from the internet; the app stays offline.
st.set_page_config(page_title="relgraph", layout="wide")

PAGES = [
    st.Page("ui/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("ui/explore.py", title="Explore", icon=":material/travel_explore:", url_path="explore"),
    st.Page("ui/cypher.py", title="Cypher", icon=":material/terminal:", url_path="cypher"),
    st.Page("ui/risk.py", title="Supply risk", icon=":material/warning:", url_path="risk"),
    st.Page("ui/reach.py", title="Word of mouth", icon=":material/campaign:", url_path="reach"),
    st.Page("ui/data.py", title="Data", icon=":material/database:", url_path="data"),
]

st.navigation(PAGES).run()
