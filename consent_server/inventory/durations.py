"""Storage durations in words, in Swedish and English.

Pure: no Flask. A duration is seconds, ``"session"`` or ``"persistent"``
(docs/CONTRACTS.md). Words are rounded to the largest unit that divides
sensibly, e.g. 63072000 s is "2 years" / "2 år".
"""
from __future__ import annotations

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
MONTH = 30 * DAY
YEAR = 365 * DAY

# (seconds in unit, sv singular, sv plural, en singular, en plural)
_UNITS: tuple[tuple[int, str, str, str, str], ...] = (
    (YEAR, "år", "år", "year", "years"),
    (MONTH, "månad", "månader", "month", "months"),
    (DAY, "dag", "dagar", "day", "days"),
    (HOUR, "timme", "timmar", "hour", "hours"),
    (MINUTE, "minut", "minuter", "minute", "minutes"),
    (1, "sekund", "sekunder", "second", "seconds"),
)

_WORDS = {
    "sv": {"session": "tills webbläsaren stängs", "persistent": "tills den rensas"},
    "en": {"session": "until the browser closes", "persistent": "until cleared"},
}


def _pick_unit(seconds: int) -> tuple[int, str, str, str, str]:
    """Largest unit giving a whole number, or at least 1 with under 5 % rounding error."""
    for unit in _UNITS:
        size = unit[0]
        if seconds >= size and (seconds % size == 0 or abs(seconds - round(seconds / size) * size) <= seconds / 20):
            return unit
    return _UNITS[-1]


def duration_in_words(duration: int | str, lang: str = "en") -> str:
    """Say a storage duration in words in ``lang`` ("sv" or "en"); unknown languages fall back to English."""
    lang = lang if lang in _WORDS else "en"
    if isinstance(duration, str):
        return _WORDS[lang].get(duration, duration)
    if duration <= 0:
        return "0 sekunder" if lang == "sv" else "0 seconds"
    size, sv1, svn, en1, enn = _pick_unit(int(duration))
    count = round(duration / size)
    if lang == "sv":
        return f"{count} {sv1 if count == 1 else svn}"
    return f"{count} {en1 if count == 1 else enn}"
