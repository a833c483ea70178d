"""relgraph's own Streamlit components (custom components v2)."""
