"""Sign in with a user stored in the database."""

import streamlit as st

from dashboard.auth import current_user, default_page, sign_in

signed_in = current_user()
if signed_in is not None:
    st.switch_page(default_page(signed_in.role))

st.title("regwatch")
st.caption("Regulatory change tracking and obligations register")
with st.form("sign_in"):
    username = st.text_input("User name", key="sign_in_username")
    password = st.text_input("Password", type="password", key="sign_in_password")
    submitted = st.form_submit_button("Sign in")
if submitted:
    user = sign_in(username, password)
    if user is None:
        st.error("Unknown user name or wrong password.")
    else:
        st.switch_page(default_page(user.role))
