"""Foundations with no database: the process settings (``config``), local time, and the texts of both languages."""
