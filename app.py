"""relgraph's Streamlit entry point: the frame and navigation over the pages in ui/."""

import streamlit as st

st.set_page_config(page_title="relgraph", page_icon=":material/hub:", layout="wide")

PAGES = [
    st.Page("ui/overview.py", title="Overview", icon=":material/dashboard:", default=True),
]

st.navigation(PAGES).run()
