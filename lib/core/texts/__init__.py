"""Page texts, one module per area (``lib/core/texts/<area>.py`` with a ``TEXTS`` dict).

``lib.core.i18n`` merges every module here, so several pages can add words without
editing one shared file. Keys are namespaced by area: ``"now.title"``.
"""
