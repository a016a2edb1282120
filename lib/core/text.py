"""Cleaning free text where it enters Pantau (RULES "Personal data").

Names, ids and phone numbers come from phones and from imported files. Before they are
stored, compared or shown they go through `clean_text`, so a terminal escape (ESC), a
bell, a NUL or a bidi override in a name can neither reach a log, a PDF or a CSV, nor make
two spellings of one name look different.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from urllib.parse import quote

# Bidi controls: embeddings/overrides (U+202A-202E), isolates (U+2066-2069) and the
# invisible marks (U+200E/200F, U+061C). They can make "Budi" display as "iduB" or hide
# text in a list; nobody types them in a name.
_BIDI_CONTROLS = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
# Invisible characters that split one name into "different" strings: zero-width space,
# word joiner, byte-order mark.
_INVISIBLE = frozenset([0x200B, 0x2060, 0xFEFF])


def _is_dropped(char: str) -> bool:
    code = ord(char)
    if code in _BIDI_CONTROLS or code in _INVISIBLE:
        return True
    # Cc: C0 (incl. NUL, BEL, ESC), DEL and C1; Cs: lone surrogates a bad decoding leaves;
    # Cf: every other invisible format character (soft hyphen, joiners, tag characters):
    # nobody types one in a name, and each makes one name two strings.
    return unicodedata.category(char) in ("Cc", "Cs", "Cf")


def clean_text(value: object, max_len: int) -> str:
    """`value` as one clean line of at most `max_len` characters ('' for None).

    In this order: Unicode NFC (one spelling of an accented letter); every whitespace
    run, tabs and line breaks included, becomes one space; control characters (C0, DEL,
    C1), bidi controls and zero-width characters are removed; leading and trailing spaces
    are stripped; then the text is cut to `max_len` characters (and stripped again, so a
    cut never leaves a trailing space). Letters, digits, punctuation and accents are kept
    as typed: matching names loosely is the caller's business, not this function's.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    # Whitespace first (str.split knows \t \n \r \x0b \x0c \x1c-\x1f \x85 and Unicode
    # spaces), so "Siti\nRahma" stays two words instead of becoming "SitiRahma".
    text = " ".join(text.split())
    text = "".join(char for char in text if not _is_dropped(char))
    text = " ".join(text.split())
    if max_len >= 0 and len(text) > max_len:
        text = text[:max_len].rstrip()
    return text


# Academic and honorific titles written around Indonesian names ("Dr. Siti Rahmawati, S.Kom"):
# they may be typed or left out, and never count as one of the name's words.
TITLE_WORDS = frozenset(
    "dr drs dra ir hj prof amd ak apt ked kes kom mkes mm mh mpd msi mt ners pd sh se si sip skep "
    "sked skm sos spd ssi ssos sst sstp st stp".split()
)


def name_words(value: object) -> list[str]:
    """The words of a name, folded for comparing: accents dropped ("José" -> "jose"), case
    folded, every character that is not a letter or digit a separator ("S.Kom" -> "s kom")."""
    text = unicodedata.normalize("NFKD", clean_text(value, 200))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    return [word for word in re.split(r"[\W_]+", text) if word]


def _words_agree(typed: str, stored: str) -> bool:
    """One typed word against one stored word: equal; or, from 3 letters, one begins the
    other ("rahma" / "rahmawati"); or, from 5 letters each, a spelling variant of it
    (difflib similarity at least 0.8: "rahmawaty", "soekarno" / "sukarno")."""
    if typed == stored:
        return True
    if min(len(typed), len(stored)) >= 3 and (stored.startswith(typed) or typed.startswith(stored)):
        return True
    return min(len(typed), len(stored)) >= 5 and SequenceMatcher(None, typed, stored).ratio() >= 0.8


def names_match(typed: object, stored: object) -> bool:
    """Whether a name typed on a phone is the stored name, as a receptionist would accept it
    (RULES "Self check-in").

    Both are folded (``name_words``: case, spaces, punctuation and accents do not matter).
    Every typed word must stand for its own stored word, in any order: the same word, its
    beginning or a spelling variant (``_words_agree``), or, for a typed initial of one or
    two letters, a stored word it begins (a typed title the store lacks is let go). And the typed words of three letters or more
    (titles such as "Dr" or "S.Kom" aside) must cover two of the stored name's words, or
    its one word when the name has only one (a name of short words only: all of them). So "siti rahma" and "Rahmawati Siti" match
    "Siti Rahmawati, S.Kom", but "Siti" alone, "Siti Aminah" or "Rahmawati" do not.
    """
    typed_words, stored_words = name_words(typed), name_words(stored)
    if not typed_words or not stored_words:
        return False
    needed = min(2, sum(1 for word in stored_words if len(word) >= 3 and word not in TITLE_WORDS))
    if needed == 0:  # a name of short words only ("Li", "A. N."): all of them, exactly
        return sorted(typed_words) == sorted(stored_words)
    free = list(stored_words)
    counted = 0
    for word in sorted(typed_words, key=len, reverse=True):  # longest first: initials take what is left
        if len(word) < 3:
            found = next((i for i, other in enumerate(free) if other.startswith(word)), None)
        else:
            found = next((i for i, other in enumerate(free) if other == word), None)
            if found is None:
                found = next((i for i, other in enumerate(free) if _words_agree(word, other)), None)
        if found is None:
            if word in TITLE_WORDS:
                continue  # a title the store does not have ("Dr." typed, not stored)
            return False
        if len(word) >= 3 and free[found] not in TITLE_WORDS:
            counted += 1
        free.pop(found)
    return counted >= needed


# An id typed on a phone or written in a file, at most (longer is not an id).
MAX_ID_CHARACTERS = 40
_NUMBER_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalize_id(value: object) -> str:
    """An id as typed on a phone, as the store keeps it: a number (NIP, NIK, a phone) loses
    the spaces, dots, dashes and brackets people write it with ("19710203 199903 1 002",
    "0812-3456-7890"); an id with letters ("THL-0229", a roster's own codes) keeps its dashes,
    dots and slashes, which are part of it, and only loses spaces."""
    text = clean_text(value, 2 * MAX_ID_CHARACTERS)
    digits = _NUMBER_SEPARATORS.sub("", text)
    if re.fullmatch(r"\+?[0-9]+", digits):
        return digits
    return re.sub(r"\s", "", text)


# Percent-encoding of an ASCII text as ``urllib.parse.quote(text, safe="")`` does it (every
# character but letters, digits and ``_.-~`` as %XX), by one ``str.translate``: ~20x faster,
# for the wa.me links of a case's thousands of contacts on every page run (issue 27).
_URL_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_QUOTE_ASCII = {code: (chr(code) if chr(code) in _URL_UNRESERVED else f"%{code:02X}") for code in range(128)}


def url_quote(text: str) -> str:
    """``urllib.parse.quote(text, safe="")``: the same result, fast for ASCII text."""
    return text.translate(_QUOTE_ASCII) if text.isascii() else quote(text, safe="")
