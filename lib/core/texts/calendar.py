"""Month names for chart axes and dates in words (Indonesian default, English)."""

_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
       "November", "Desember"]
_ID_SHORT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
       "November", "December"]
_EN_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

TEXTS: dict[str, dict[str, str]] = {
    **{f"calendar.month.{n}": {"id": _ID[n - 1], "en": _EN[n - 1]} for n in range(1, 13)},
    **{f"calendar.month_short.{n}": {"id": _ID_SHORT[n - 1], "en": _EN_SHORT[n - 1]} for n in range(1, 13)},
}
