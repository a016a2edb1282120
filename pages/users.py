"""Pengguna / Users (admin): add users, set roles, reset a password, clear login waits, deactivate, delete."""

import pandas as pd
import streamlit as st

from lib.store import users
from lib.store.db import DEFAULT_TIMEZONE
from lib.ui.auth import audit, require_roles
from lib.ui.i18n import fmt_datetime, relabelled, tr
from lib.ui.plain import refusal_text, tr_escaped
from lib.ui.widget_texts import choose_placeholder

require_roles("admin")

st.title(tr("users.title"))
st.caption(tr("users.caption", attempts=users.MAX_FAILED_LOGINS, minutes=users.THROTTLE_MAX_WAIT_SECONDS // 60))


def role_names(roles: list[str]) -> str:
    return ", ".join(tr(f"role.{r}") for r in roles) or tr("users.no_roles")


def refused(error: users.UserError) -> None:
    st.error(refusal_text(error))


def show_password(message: str, password: str) -> None:
    """The generated password, once: it is in this run's output only, never in state."""
    st.success(message)
    st.code(password, language=None)


with st.expander(tr("users.add"), expanded=False):
    with st.form(key="users_add_form", clear_on_submit=True):
        cells = st.columns(2)
        new_username = cells[0].text_input(tr("users.username"), key="users_new_username")
        new_name = cells[1].text_input(tr("users.name"), key="users_new_name")
        new_roles = st.multiselect(
            tr("users.roles"), users.ROLES, key=relabelled("users_new_roles"), format_func=lambda r: tr(f"role.{r}"),
            placeholder=choose_placeholder(),
        )
        add = st.form_submit_button(tr("users.add_submit"), type="primary")
    if add:
        try:
            password = users.add_user(None, new_username, new_name, new_roles)
            username = users.normalize_username(new_username)
            audit("user_create", username, {"roles": new_roles}, 1)
            show_password(tr_escaped("users.added", username=username), password)
        except users.UserError as error:
            refused(error)

flash = st.session_state.pop("users_flash", None)
if flash:
    st.success(flash)

accounts = users.load_users()
if accounts:
    st.subheader(tr("users.edit"))
    selected = st.selectbox(
        tr("users.select"), sorted(accounts), key="users_selected",
        format_func=lambda u: f"{accounts[u].get('name') or u} ({u})",
    )
    record = accounts[selected]
    with st.form(key=f"users_roles_form_{selected}"):
        roles = st.multiselect(
            tr("users.roles"), users.ROLES, default=[r for r in record.get("roles") or [] if r in users.ROLES],
            key=relabelled(f"users_roles_{selected}"), format_func=lambda r: tr(f"role.{r}"), placeholder=choose_placeholder(),
        )
        save = st.form_submit_button(tr("users.save_roles"))
    if save:
        try:
            before = list(record.get("roles") or [])
            users.set_roles(None, selected, roles)
            audit("user_roles", selected, {"old": before, "new": roles}, 1)
            st.success(tr_escaped("users.roles_saved", username=selected))
        except users.UserError as error:
            refused(error)
    cells = st.columns(2)
    if cells[0].button(tr("users.reset"), key=f"users_reset_{selected}"):
        password = users.reset_password(None, selected)
        audit("user_password_reset", selected, None, 1)
        show_password(tr_escaped("users.reset_done", username=selected), password)
    if cells[1].button(tr("users.unlock"), key=f"users_unlock_{selected}",
                       disabled=users.locked_until(record) is None and not users.failed_logins(record)):
        users.unlock(None, selected)
        audit("user_unlock", selected, None, 1)
        st.success(tr_escaped("users.unlocked", username=selected))

    # Deactivate / reactivate and delete; the last active administrator can be neither.
    active = users.is_active(record)
    cells = st.columns(2)
    if cells[0].button(tr("users.deactivate") if active else tr("users.reactivate"), key=f"users_active_{selected}"):
        try:
            users.set_active(None, selected, not active)
            audit("user_deactivate" if active else "user_reactivate", selected, None, 1)
            st.session_state["users_flash"] = tr_escaped(
                "users.deactivated" if active else "users.reactivated", username=selected
            )
            st.rerun()
        except users.UserError as error:
            refused(error)
    with cells[1].form(key=f"users_delete_form_{selected}"):
        acknowledged = st.checkbox(tr_escaped("users.delete_ack", username=selected), key=f"users_delete_ack_{selected}")
        delete = st.form_submit_button(tr("users.delete"), key=f"users_delete_{selected}")
    if delete:
        if not acknowledged:
            st.error(tr_escaped("users.delete_needs_ack", username=selected))
        else:
            try:
                users.delete_user(None, selected)
                audit("user_delete", selected, {"roles": list(record.get("roles") or [])}, 1)
                st.session_state["users_flash"] = tr_escaped("users.deleted", username=selected)
                st.rerun()
            except users.UserError as error:
                refused(error)

table = users.list_users()
inactive = {u for u, r in users.load_users().items() if not users.is_active(r)}
st.dataframe(
    pd.DataFrame(
        {
            tr("users.username"): table["username"],
            tr("users.name"): table["name"],
            tr("users.roles"): [role_names(r) for r in table["roles"]],
            tr("users.status"): [
                tr("users.inactive") if u in inactive
                else tr("users.throttled_until", until=fmt_datetime(t, DEFAULT_TIMEZONE)) if not pd.isna(t)
                else (tr("users.active") if r else tr("users.no_roles"))
                for u, t, r in zip(table["username"], table["throttled_until"], table["roles"], strict=True)
            ],
            tr("users.failures"): table["failed_logins"],
            tr("users.demo"): ["✓" if d else "" for d in table["demo"]],
        }
    ),
    hide_index=True, width="stretch", key="users_table",
)
