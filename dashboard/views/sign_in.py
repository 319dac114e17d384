"""Sign in with a user stored in the database."""

import streamlit as st

from dashboard.auth import sign_in

st.title("regwatch")
st.caption("Regulatory change tracking and obligations register")
with st.form("sign_in"):
    username = st.text_input("User name", key="sign_in_username")
    password = st.text_input("Password", type="password", key="sign_in_password")
    submitted = st.form_submit_button("Sign in")
if submitted:
    if sign_in(username, password) is None:
        st.error("Unknown user name or wrong password.")
    else:
        st.rerun()  # the next run has the signed-in navigation and moves on from here
