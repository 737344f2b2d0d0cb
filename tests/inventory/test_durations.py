"""Storage durations read as words in Swedish and English."""
from __future__ import annotations

import pytest

from consent_server.inventory import duration_in_words

CASES = [
    (63072000, "2 år", "2 years"),
    (31536000, "1 år", "1 year"),
    (395 * 86400, "13 månader", "13 months"),
    (90 * 86400, "3 månader", "3 months"),
    (179 * 86400, "6 månader", "6 months"),
    (2 * 86400, "2 dagar", "2 days"),
    (86400, "1 dag", "1 day"),
    (3600, "1 timme", "1 hour"),
    (1800, "30 minuter", "30 minutes"),
    (60, "1 minut", "1 minute"),
    (45, "45 sekunder", "45 seconds"),
    (0, "0 sekunder", "0 seconds"),
    ("session", "tills webbläsaren stängs", "until the browser closes"),
    ("persistent", "tills den rensas", "until cleared"),
]


@pytest.mark.parametrize("duration,sv,en", CASES)
def test_duration_in_words(duration: int | str, sv: str, en: str) -> None:
    assert duration_in_words(duration, "sv") == sv
    assert duration_in_words(duration, "en") == en


def test_unknown_language_falls_back_to_english() -> None:
    assert duration_in_words(86400, "de") == "1 day"
