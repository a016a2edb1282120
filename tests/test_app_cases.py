"""The Cases page (tracer), the case summary (leadership) and the WhatsApp messages (admin) in AppTest.

What a user would notice: a tracer opens a case for the demo's positive case and sees its
graded contacts with WhatsApp links, a status set on the page is stored and shown, viewing
is audited once however often the page reruns, leadership sees counts without a name and
cannot open the Cases page, an administrator's message reaches the links.
"""

from __future__ import annotations

from datetime import timedelta

import duckdb
from streamlit.testing.v1 import AppTest

from lib.analytics import cases
from lib.ingest import demo
from tests.support.app import ROOT, assert_no_personal_data_in, personal_data, rendered_bytes

TRACER = ("pelacak", ["tracer"])
LEADERSHIP = ("pimpinan", ["leadership"])
ADMIN = ("admin", ["admin"])


def page_as(page: str, user: tuple[str, list[str]], language: str = "id") -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    username, roles = user
    at.session_state["authentication_status"] = True
    at.session_state["username"] = username
    at.session_state["roles"] = roles
    at.session_state["pantau_lang"] = language
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def table_with(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    """The first dataframe on screen with ``column`` (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_tracer_opens_a_case_marks_a_contact_and_views_are_audited_once(demo_db: tuple) -> None:
    _, con = demo_db
    at = page_as("pages/cases.py", TRACER)
    assert any("Belum ada kasus" in i.value for i in at.info)
    at.text_input(key="cases_person").input(demo.POSITIVE_CASE_ID)
    at.date_input(key="cases_date").set_value(cases.local_today() - timedelta(days=5))
    at.button(key="cases_open").click().run()
    assert not at.exception, [e.message for e in at.exception]
    listed = cases.list_cases(con)
    assert len(listed) == 1 and listed["person_id"].iloc[0] == demo.POSITIVE_CASE_ID
    case_id = int(listed["case_id"].iloc[0])
    assert any(f"Kasus #{case_id} dibuka" in s.value for s in at.success)
    stored = cases.case_contacts(con, case_id)
    shown = table_with(at, "Oleh")  # the contacts (the work queue above has no "Oleh")
    # Issue 23: the list in the tracer's priority order, 50 to a page.
    assert list(shown["ID"]) == list(cases.in_priority_order(stored)["person_id"])[:50]
    assert shown["WhatsApp"].dropna().str.startswith("https://wa.me/62").all()
    assert any(f"0 dari {(stored['grade'] == 'K1').sum()} K1 dihubungi" in m.value for m in at.markdown)

    first = str(stored["person_id"].iloc[0])
    at.selectbox(key="cases_contact").set_value(first).run()
    at.selectbox(key=f"cases_status_{case_id}_{first}").set_value("karantina")
    at.selectbox(key=f"cases_test_{case_id}_{first}").set_value("positif")
    at.text_input(key=f"cases_note_{case_id}_{first}").input("ditelepon pagi")
    at.button(key=f"cases_save_{case_id}_{first}").click().run()
    assert not at.exception, [e.message for e in at.exception]
    row = cases.case_contacts(con, case_id).set_index("person_id").loc[first]
    assert (row["status"], row["test_result"], row["note"], row["status_by"]) == (
        "karantina", "positif", "ditelepon pagi", "pelacak")
    assert "karantina" in list(table_with(at, "Oleh")["Status"])
    # A positive contact offers a case of its own, linked to this one.
    at.button(key="cases_open_child").click().run()
    assert at.text_input(key="cases_person").value == first
    at.button(key="cases_open").click().run()
    child = cases.list_cases(con).set_index("case_id")
    assert len(child) == 2 and int(child.loc[case_id + 1, "parent_case_id"]) == case_id
    assert child.loc[case_id + 1, "depth"] == 1
    views = con.execute("SELECT subject FROM audit_log WHERE action = 'case_view' ORDER BY rowid").fetchall()
    assert views == [(str(case_id),), (str(case_id + 1),)]  # once per case, however many reruns


def test_leadership_sees_case_counts_without_names_and_not_the_cases_page(demo_db: tuple) -> None:
    _, con = demo_db
    if cases.list_cases(con).empty:
        cases.open_case(con, demo.POSITIVE_CASE_ID, onset=cases.local_today() - timedelta(days=5), actor="pelacak")
    refused = AppTest.from_file(str(ROOT / "pages/cases.py"), default_timeout=60)
    refused.session_state["authentication_status"] = True
    refused.session_state["username"] = "pimpinan"
    refused.session_state["roles"] = ["leadership"]
    refused.run()
    assert refused.error and not refused.dataframe
    at = page_as("pages/case_stats.py", LEADERSHIP)
    table = table_with(at, "Kontak per kasus")
    assert list(table["Kasus"]) and int(table["Kasus"].iloc[-1]) >= 1
    assert_no_personal_data_in(rendered_bytes(at), personal_data(con) + [demo.POSITIVE_CASE_ID])


def test_admin_changes_the_whatsapp_message(demo_db: tuple) -> None:
    _, con = demo_db
    at = page_as("pages/settings.py", ADMIN)
    at.text_area(key="settings_case_message_K2").input("Halo {nama}, pantau gejala Anda.")
    at.button(key="settings_case_messages_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert cases.message_template(con, "K2") == "Halo {nama}, pantau gejala Anda."
    assert cases.message_template(con, "K1") == cases.DEFAULT_MESSAGES["K1"]  # unchanged: not stored
    audited = con.execute("SELECT subject FROM audit_log WHERE action = 'setting_change' AND actor = 'admin'").fetchall()
    assert audited == [("case_message:K2",)]


def test_tracing_page_hands_the_traced_person_to_a_new_case(demo_db: tuple) -> None:
    """'Buka kasus untuk orang ini' on the Tracing page opens the Cases page with the person and onset filled in."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"], at.session_state["name"] = "pelacak", "pelacak"
    at.session_state["roles"] = ["tracer"]
    at.session_state["pantau_lang"] = "id"
    at.run()
    at.switch_page("pages/tracing.py").run()
    onset = cases.local_today() - timedelta(days=4)
    at.text_input(key="tracing_query").input(demo.POSITIVE_CASE_ID).run()
    at.selectbox(key="tracing_person").set_value(demo.POSITIVE_CASE_ID).run()
    at.date_input(key="tracing_onset").set_value(onset).run()
    at.button(key="tracing_run").click().run()
    at.button(key="tracing_open_case").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Kasus pelacakan"
    assert at.text_input(key="cases_person").value == demo.POSITIVE_CASE_ID
    assert at.date_input(key="cases_date").value == onset


# --- issue 23: a case at scale ----------------------------------------------------------------------


def case_page(case_id: int, language: str = "id") -> AppTest:
    """The Cases page as the tracer, on ``case_id``."""
    at = AppTest.from_file(str(ROOT / "pages/cases.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "pelacak"
    at.session_state["roles"] = ["tracer"]
    at.session_state["pantau_lang"] = language
    at.session_state["cases_selected"] = case_id
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def new_case(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    """A fresh case for the demo's positive case, assigned to 'pelacak': (id, K1, K2)."""
    case_id = cases.open_case(con, demo.POSITIVE_CASE_ID, onset=cases.local_today() - timedelta(days=5),
                              actor="pelacak")
    grades = cases.case_contacts(con, case_id)["grade"]
    return case_id, int((grades == "K1").sum()), int((grades == "K2").sum())


def test_tracer_changes_a_whole_k2_after_a_confirmation_and_sees_the_work_queue(demo_db: tuple) -> None:
    _, con = demo_db
    case_id, k1, k2 = new_case(con)
    assert k2 > 100  # the demo's civil servant: hundreds in her building
    at = case_page(case_id)
    assert "Hubungi sekarang" in [h.value for h in at.subheader]
    queue = table_with(at, "Mengapa sekarang")
    due = queue[queue["Mengapa sekarang"] == "Tes masuk belum tercatat"]
    assert len(due) >= k1 and list(queue.index[: len(due)]) == list(due.index)  # the tests due on top
    assert set(due["Jenis kontak"]) == {"K1"}

    at.selectbox(key=f"cases_f_grade_{case_id}").set_value("K2").run()
    shown = table_with(at, "Oleh")
    assert len(shown) == 50 and set(shown["Jenis kontak"]) == {"K2"}  # paged: 50 of the hundreds
    assert any(f"{k2} dari {k1 + k2} kontak dipilih" in c.value for c in at.caption)
    assert any(e.label.startswith("K2 per unit kerja") for e in at.expander)
    at.selectbox(key=f"cases_group_status_{case_id}").set_value("dihubungi")
    at.button(key=f"cases_group_apply_{case_id}").click().run()
    assert any(f"{k2} kontak akan diubah: status menjadi dihubungi" in w.value for w in at.warning)
    assert set(cases.case_contacts(con, case_id)["status"]) == {"belum"}  # nothing before the confirmation
    at.button(key="cases_group_confirm").click().run()
    assert not at.exception, [e.message for e in at.exception]
    stored = cases.case_contacts(con, case_id)
    assert set(stored.loc[stored["grade"] == "K2", "status"]) == {"dihubungi"}
    assert set(stored.loc[stored["grade"] == "K1", "status"]) == {"belum"}
    assert any(f"{k2} kontak diubah." in s.value for s in at.success)
    audited = con.execute("SELECT actor, rows FROM audit_log WHERE action = 'case_contact_set' AND subject = ?",
                          [str(case_id)]).fetchall()
    assert audited == [("pelacak", k2)]  # one record for the group


def test_an_empty_selection_is_refused_on_the_page(demo_db: tuple) -> None:
    _, con = demo_db
    case_id, _, _ = new_case(con)
    at = case_page(case_id)
    at.selectbox(key=f"cases_f_grade_{case_id}").set_value("K1")
    at.selectbox(key=f"cases_f_status_{case_id}").set_value("selesai").run()
    at.selectbox(key=f"cases_group_status_{case_id}").set_value("dihubungi")
    at.button(key=f"cases_group_apply_{case_id}").click().run()
    assert any(f"tidak ada kontak kasus #{case_id} yang dipilih; tidak ada yang diubah" in e.value for e in at.error)
    assert set(cases.case_contacts(con, case_id)["status"]) == {"belum"}


def test_tracer_confirms_the_broadcast_and_its_contacts_are_reached(demo_db: tuple) -> None:
    _, con = demo_db
    case_id, _, k2 = new_case(con)
    at = case_page(case_id)
    sendable, no_phone = cases.broadcast_list(con, case_id, "K2")
    assert any(f"{len(sendable)} kontak K2 dengan nomor HP; {len(no_phone)} tanpa" in c.value for c in at.caption)
    assert set(cases.case_contacts(con, case_id)["status"]) == {"belum"}  # offering the file marks nobody
    at.button(key="cases_broadcast_sent").click().run()
    assert not at.exception, [e.message for e in at.exception]
    stored = cases.case_contacts(con, case_id).set_index("person_id")
    assert set(stored.loc[list(sendable["person_id"]), "status"]) == {"dihubungi"}
    assert set(stored.loc[stored["grade"] == "K1", "status"]) == {"belum"}
    assert any(f"{len(sendable)} kontak K2 ditandai 'dihubungi'" in s.value for s in at.success)
    params = con.execute("SELECT params FROM audit_log WHERE action = 'case_contact_set' AND subject = ?",
                         [str(case_id)]).fetchall()
    assert len(params) == 1 and '"via": "broadcast"' in params[0][0]
    cases.close_case(con, case_id, "pelacak")
    closed = case_page(case_id)
    assert "Ubah semua kontak yang dipilih" not in [h.value for h in closed.subheader]


def test_leadership_sees_k2_reached_next_to_k1(demo_db: tuple) -> None:
    _, con = demo_db
    case_id, _, _ = new_case(con)
    cases.set_contacts(con, case_id, cases.Selection(grade="K2"), status="dihubungi", actor="pelacak")
    at = page_as("pages/case_stats.py", LEADERSHIP, "en")
    table = table_with(at, "K2 reached within 24 h (message or call)")
    assert "K1 reached within 24 h" in table.columns and table["K2 contacts"].iloc[-1] != "0"
    assert table["K2 reached within 24 h (message or call)"].iloc[-1] != "–"
    assert_no_personal_data_in(rendered_bytes(at), personal_data(con) + [demo.POSITIVE_CASE_ID])
