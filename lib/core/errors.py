"""One base for every refusal Pantau says to a person: ``PantauError``.

A refusal carries a text key and the values to fill in, never a finished sentence, so the
same refusal reads in Indonesian on the dashboard and in English on a command line with
``--lang en`` (``message``). Subclasses name their family of texts with ``TEXT_PREFIX``
(``UserError("last_admin")`` says the text ``users.error.last_admin``) and may keep more
fields for the code that catches them. A ``PantauError`` means nothing was written.

Bugs are not ``PantauError``: they keep their own exception types and tracebacks (the
command line's ``--traceback``, the server's log).
"""

from __future__ import annotations

from typing import ClassVar

from lib.core.i18n import t


class PantauError(Exception):
    """A refusal for the user: ``key`` is ``TEXT_PREFIX + code``; ``values`` fill it in."""

    TEXT_PREFIX: ClassVar[str] = ""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(f"{code}: {values}" if values else code)
        self.code = code
        self.values = values

    @property
    def key(self) -> str:
        return self.TEXT_PREFIX + self.code

    def message(self, lang: str | None = None) -> str:
        """The refusal in words, in ``lang`` (default: the current language)."""
        return t(self.key, lang, **self.values)
