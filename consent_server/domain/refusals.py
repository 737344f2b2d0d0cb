"""Counting refused consent POSTs: daily counters per site, reason and (for origin refusals) origin.

A refusal is counted in the worker's memory and written with the counts of every other
refusal of the last CONSENT_REFUSAL_FLUSH seconds: one short transaction of upserts
(`INSERT ... ON CONFLICT DO UPDATE SET count = count + excluded.count`) per flush, however
many refusals came in. A flood of refused requests (a misconfigured site, a script
hammering the endpoint) therefore costs a dictionary increment per request, not a commit:
on SQLite a commit is an fsync under the one writer lock the consent rows need too
(bench/RESULTS.md, "Refusal counters", has the measurement). The same flush logs one
warning line per site and reason, so a flood cannot fill the log either. What is lost on
`kill -9` is at most one interval of one worker's counts: they are statistics, not proofs.

Nothing personal is counted: no address, no visitor id, no page; the origin only for
origin refusals, normalised, and at most MAX_ORIGINS_PER_DAY of them per site and day.
"""
from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter
from datetime import date, datetime, timezone
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from ..extensions import db, per_app
from ..models import RefusalCount, Site
from ..storage.thread_connections import writer_lock, writer_lock_path
from .sites import SITE_KEY, normalise_origin

log = logging.getLogger(__name__)

ORIGIN_REFUSAL = "origin_not_allowed"
INVALID_ORIGIN = "(invalid)"  # an Origin header that is no http(s) origin ("null", garbage)
OTHER_ORIGIN = "(other)"  # every origin past MAX_ORIGINS_PER_DAY
# Distinct refused origins kept per site and day: a script sending a new Origin with every
# request must not turn into a new row per request.
MAX_ORIGINS_PER_DAY = 50
# Distinct counters a worker holds between two flushes; refusals past it (many site keys
# that do not exist, say) are only logged.
MAX_PENDING = 2000

Key = tuple[str, date, str, str]  # site key, UTC day, reason, origin ('' unless an origin refusal)
_TABLE = RefusalCount.__table__


def refused_origin(header: str | None) -> str:
    """The origin to count an origin refusal under: the normalised Origin header, or INVALID_ORIGIN."""
    try:
        return normalise_origin(header or "")[:255]
    except ValueError:
        return INVALID_ORIGIN


class RefusalTally:
    """A worker's refusal counts since its last flush, written every `interval` seconds (0: at once)."""

    def __init__(self, engine: Engine, interval: float) -> None:
        self.engine = engine
        self.interval = interval
        self._lock = threading.Lock()
        self._counts: Counter[Key] = Counter()
        self._dropped = 0
        self._timer: threading.Timer | None = None
        atexit.register(self.flush)  # a worker's graceful exit writes what it holds

    def add(self, site_key: str, reason: str, origin: str = "") -> None:
        """Count one refusal of a consent POST for `site_key` (as given in the URL) today."""
        # A key that cannot name a site is counted as '' (names no site), not held as given.
        site_key = site_key if SITE_KEY.fullmatch(site_key) else ""
        key = (site_key, datetime.now(timezone.utc).date(), reason, origin if reason == ORIGIN_REFUSAL else "")
        timer = None
        with self._lock:
            if key in self._counts or len(self._counts) < MAX_PENDING:
                self._counts[key] += 1
            else:
                self._dropped += 1
            if self.interval > 0 and self._timer is None:
                timer = self._timer = threading.Timer(self.interval, self.flush)
                timer.daemon = True
        if self.interval <= 0:
            self.flush()
        elif timer is not None:
            timer.start()

    def flush(self) -> None:
        """Write the counts held so far (one transaction) and log them; never raises."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            dropped, self._dropped = self._dropped, 0
            self._timer = None
        if not counts and not dropped:
            return
        try:
            unknown = write_counts(self.engine, counts)
        except Exception:  # counting must never break serving; say what was lost
            log.exception("could not write %d refusal counts", sum(counts.values()))
            return
        _log_counts(counts, unknown, dropped)


def tally() -> RefusalTally:
    """The current app's refusal tally (one per worker process)."""
    return per_app("consent.refusals", lambda: RefusalTally(db.engine, current_app.config["CONSENT_REFUSAL_FLUSH"]))


def note_refusal(site_key: str, reason: str, origin_header: str | None) -> None:
    """Count a refused consent POST (or its refused CORS preflight) for the site in its URL."""
    origin = refused_origin(origin_header) if reason == ORIGIN_REFUSAL else ""
    tally().add(site_key, reason, origin)


def write_counts(engine: Engine, counts: Counter[Key]) -> set[str]:
    """Add `counts` to the daily counters in one transaction; the site keys that name no site."""
    if not counts:
        return set()
    with writer_lock(writer_lock_path(engine)), engine.begin() as connection:
        ids = _site_ids(connection, {key[0] for key in counts})
        merged: Counter[tuple[int, date, str, str]] = Counter()
        for (site_key, day, reason, origin), n in counts.items():
            if site_key in ids:
                merged[(ids[site_key], day, reason, origin)] += n
        merged = _cap_origins(connection, merged)
        if merged:
            connection.execute(_upsert(connection, sorted(merged.items())))
    return {key[0] for key in counts} - set(ids)


def _site_ids(connection: Connection, keys: set[str]) -> dict[str, int]:
    wanted = [key for key in keys if SITE_KEY.fullmatch(key)]
    if not wanted:
        return {}
    rows = connection.execute(select(Site.key, Site.id).where(Site.key.in_(wanted)))
    return {key: site_id for key, site_id in rows}


def _cap_origins(connection: Connection, merged: Counter) -> Counter:
    """`merged` with origins past MAX_ORIGINS_PER_DAY of a site and day counted as OTHER_ORIGIN."""
    capped: Counter = Counter()
    known: dict[tuple[int, date], set[str]] = {}
    for (site_id, day, reason, origin), n in sorted(merged.items()):
        if reason == ORIGIN_REFUSAL:
            seen = known.get((site_id, day))
            if seen is None:
                seen = known[(site_id, day)] = set(connection.execute(
                    select(_TABLE.c.origin).where(_TABLE.c.site_id == site_id, _TABLE.c.day == day,
                                                  _TABLE.c.reason == ORIGIN_REFUSAL)).scalars())
            if origin not in seen:
                if len(seen - {OTHER_ORIGIN}) >= MAX_ORIGINS_PER_DAY:
                    origin = OTHER_ORIGIN
                seen.add(origin)
        capped[(site_id, day, reason, origin)] += n
    return capped


def _upsert(connection: Connection, items: Iterable[tuple[tuple[int, date, str, str], int]]) -> Any:
    """One multi-row INSERT ... ON CONFLICT DO UPDATE adding to existing counters (SQLite and PostgreSQL)."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(_TABLE).values([
        {"site_id": site_id, "day": day, "reason": reason, "origin": origin, "count": n}
        for (site_id, day, reason, origin), n in items
    ])
    return statement.on_conflict_do_update(
        index_elements=[_TABLE.c.site_id, _TABLE.c.day, _TABLE.c.reason, _TABLE.c.origin],
        set_={"count": _TABLE.c.count + statement.excluded["count"]},
    )


def _log_counts(counts: Counter[Key], unknown: set[str], dropped: int) -> None:
    """One warning line per site and reason of a flush (unknown site keys are not named: they are anyone's input)."""
    lines: dict[tuple[str, str], tuple[int, set[str]]] = {}
    unknown_total = dropped
    for (site_key, _day, reason, origin), n in counts.items():
        if site_key in unknown:
            unknown_total += n
            continue
        total, origins = lines.get((site_key, reason), (0, set()))
        lines[(site_key, reason)] = (total + n, origins | ({origin} if origin else set()))
    for (site_key, reason), (total, origins) in sorted(lines.items()):
        shown = f" from {', '.join(sorted(origins)[:5])}" + (" ..." if len(origins) > 5 else "") if origins else ""
        log.warning("refused %d consent POST(s) for site %s: %s%s", total, site_key, reason, shown)
    if unknown_total:
        log.warning("refused %d consent POST(s) for site keys that name no site (not counted per site)",
                    unknown_total)


def refusal_counts(site_id: int, from_: date | None, to: date | None) -> list[dict[str, Any]]:
    """The site's counters from `from_` to `to` (both days included), by day, reason and origin."""
    query = select(_TABLE.c.day, _TABLE.c.reason, _TABLE.c.origin, _TABLE.c.count).where(_TABLE.c.site_id == site_id)
    if from_ is not None:
        query = query.where(_TABLE.c.day >= from_)
    if to is not None:
        query = query.where(_TABLE.c.day <= to)
    rows = db.session.execute(query.order_by(_TABLE.c.day, _TABLE.c.reason, _TABLE.c.origin))
    return [{"day": day, "reason": reason, "origin": origin or None, "count": n}
            for day, reason, origin, n in rows]


def refusal_report(site: str, counts: list[dict[str, Any]]) -> dict[str, Any]:
    """`counts` with their total and their totals per reason: what the owner is shown."""
    by_reason: dict[str, int] = {}
    for row in counts:
        by_reason[row["reason"]] = by_reason.get(row["reason"], 0) + row["count"]
    return {"site": site, "total": sum(by_reason.values()), "by_reason": by_reason, "counts": counts}
