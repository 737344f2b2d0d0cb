"""The closed sets of words a consent record uses: one definition each, read by the API and the CHECK constraints."""
from __future__ import annotations

# How the visitor decided (the API's `action`).
ACTIONS = ("accept_all", "reject_all", "custom", "withdraw", "gpc", "placeholder")
# The languages the banner, the pages and the records speak (`language`, a site's default).
LANGUAGES = ("sv", "en")


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK that `column` holds one of `values`: "action IN ('a', 'b')"."""
    if any("'" in value for value in values):
        raise ValueError("values are plain words, without quotes")
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"
