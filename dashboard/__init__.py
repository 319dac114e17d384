"""The Streamlit dashboard: pages lay out widgets and call ``obligations`` services."""
