"""relgraph's Streamlit entry point: the frame and navigation over the pages in ui/.

Who may see what is settled here, before st.navigation runs any page: with sign-in configured a
visitor who is not signed in gets the sign-in page on every path (deep links included), and the
Data page (loads) is offered to admins only; each page checks its own actions again.
"""

import streamlit as st

from graph.access import Action
from ui.auth import account_box, signed_in
from ui.data_access import script_run

# An emoji favicon, which the browser draws itself: without one, Streamlit shows each page's
# :material/...: icon as the favicon and fetches it from fonts.gstatic.com. The app stays offline.
st.set_page_config(page_title="relgraph", page_icon="🕸️", layout="wide")

# Who the user is, settled once for the run (pages check their actions against it), and the page's
# every answer for one data version, read once per run.
with signed_in() as user, script_run():
    account_box(user)
    PAGES = [
        st.Page("ui/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("ui/explore.py", title="Explore", icon=":material/travel_explore:", url_path="explore"),
        st.Page("ui/cypher.py", title="Cypher", icon=":material/terminal:", url_path="cypher"),
        st.Page("ui/risk.py", title="Supply risk", icon=":material/warning:", url_path="risk"),
        st.Page("ui/reach.py", title="Word of mouth", icon=":material/campaign:", url_path="reach"),
    ]
    if user.can(Action.LOAD):
        PAGES.append(st.Page("ui/data.py", title="Data", icon=":material/database:", url_path="data"))
    st.navigation(PAGES).run()
