"""Streamlit glue shared by the pages: login and roles, language, database cursor, widgets.

The only part of ``lib`` that imports Streamlit; the rules themselves live in ``lib/``.
"""
