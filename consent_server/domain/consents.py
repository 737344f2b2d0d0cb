"""Recording and reading consent decisions (domain layer)."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine

from .errors import Invalid, NotFound
from ..extensions import db, per_app
from ..ledger.row import INSERT_COLUMNS
from ..models import Consent, PolicyVersion
from ..models.types import utcnow
from ..storage.group_commit import GroupCommitter
from ..storage.state_cache import StateCache, touch_rows
from ..storage.state_notify import cache_stamps
from ..storage.thread_connections import ProcessInsert, ThreadRead
from .client_info import UserAgentFacts
from .policies import latest_policy, version_purposes

NECESSARY = "necessary"


# The two hot statements are built once, on the tables, and compiled once by thread_connections;
# per request only parameters are bound. Building them per request cost more CPU than the rest
# of the request (see bench/RESULTS.md).
_CONSENTS = Consent.__table__
# Every column a recorded decision gives (all but the id): the committer's prebuilt INSERT.
ROW_COLUMNS = INSERT_COLUMNS


def _latest_policy(column: Any) -> Any:
    return latest_policy(bindparam("site_id"), column).scalar_subquery()


# The visitor's latest decision and the site's current policy, in one round trip.
_CURRENT_STATE = (
    select(_CONSENTS.c.choices, _CONSENTS.c.action, _CONSENTS.c.policy_version, _CONSENTS.c.recorded_at,
           _latest_policy(PolicyVersion.version).label("current_version"),
           _latest_policy(PolicyVersion.consent_floor).label("consent_floor"))
    .where(_CONSENTS.c.site_id == bindparam("site_id"), _CONSENTS.c.visitor_id == bindparam("visitor_id"))
    .order_by(_CONSENTS.c.id.desc())
    .limit(1)
)


def new_receipt_id() -> str:
    """An unguessable receipt id: 144 random bits, URL-safe."""
    return secrets.token_urlsafe(18)


def normalise_choices(purposes: tuple[str, ...], choices: dict[str, bool]) -> dict[str, bool]:
    """Every purpose of the version, in banner order: sent value or denied; necessary always granted.

    Unknown purposes are an error, so a typo never silently becomes a denial.
    """
    unknown = sorted(set(choices) - set(purposes))
    if unknown:
        raise Invalid("unknown_purpose", "Unknown purpose for this policy version.",
                       {"choices": [f"unknown purpose: {name}" for name in unknown]})
    return {p: True if p == NECESSARY else bool(choices.get(p, False)) for p in purposes}


@dataclass(frozen=True)
class ClientFacts:
    """Facts about the client, derived before the row is written."""

    ip_truncated: str | None
    country: str | None
    user_agent: UserAgentFacts | None
    raw_user_agent: str | None
    gpc: bool


def record_consent(
    *,
    site_id: int,
    visitor_id: str,
    policy_version: int,
    choices: dict[str, bool],
    action: str,
    language: str,
    page_path: str | None,
    client_ts: datetime | None,
    client: ClientFacts,
    write: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """Append one decision to the log with `write` and return what the API answers.

    The API passes a GroupCommitter's `commit`, which returns once the row is committed.
    """
    purposes = version_purposes(site_id, policy_version)
    if purposes is None:
        raise Invalid("unknown_policy_version", "No such policy version for this site.",
                       {"policy_version": ["unknown policy version"]})
    normalised = normalise_choices(purposes, choices)
    receipt_id = new_receipt_id()
    recorded_at = utcnow()
    ua = client.user_agent
    # In ROW_COLUMNS order (ledger.row.INSERT_COLUMNS).
    row = {
        "site_id": site_id, "receipt_id": receipt_id, "recorded_at": recorded_at, "policy_version": policy_version,
        "choices": normalised, "action": action, "language": language, "gpc": client.gpc, "client_ts": client_ts,
        "visitor_id": visitor_id, "page_path": page_path, "ip_truncated": client.ip_truncated,
        "browser_family": ua.browser_family if ua else None, "browser_major": ua.browser_major if ua else None,
        "os_family": ua.os_family if ua else None, "device_type": ua.device_type if ua else None,
        "country": client.country, "user_agent": client.raw_user_agent,
    }
    write(row)
    return {
        "receipt_id": receipt_id, "recorded_at": recorded_at, "choices": normalised,
        "policy_version": policy_version, "visitor_id": visitor_id, "action": action,
    }


def consent_committer(engine: Engine) -> GroupCommitter:
    """A group committer for consent rows on `engine` (one per app, kept by the caller)."""
    insert = ProcessInsert(engine, _CONSENTS, ROW_COLUMNS)
    stamps = cache_stamps(engine)  # the ones the state reads of this process check

    def write_batch(rows: list[dict[str, Any]]) -> None:
        insert.insert_many(rows)
        # Committed: states cached for these visitors are stale from now on, and the requests
        # are answered only after this returns (see state_cache.py).
        touch_rows(stamps, rows)

    return GroupCommitter(write_batch)


def current_state(site_id: int, visitor_id: str) -> dict[str, Any]:
    """The visitor's current choices, and whether the site's policy changed materially since.

    Public (anyone who knows a visitor id may ask), so it carries no receipt id: a receipt id
    with the visitor id opens the visitor's whole history (api/visitor_export.py).
    """
    record = per_app("consent.state_read", lambda: state_reader(
        db.engine, cached=current_app.config["CONSENT_STATE_CACHE"]))(site_id, visitor_id)
    if record is None:
        raise NotFound("no_consent", "This visitor has not decided yet.")
    return {
        "visitor_id": visitor_id,
        "choices": record["choices"],
        "action": record["action"],
        "policy_version": record["policy_version"],
        "current_policy_version": record["current_version"],
        "reconsent_required": record["policy_version"] < record["consent_floor"],
        "recorded_at": record["recorded_at"],
    }


def state_reader(engine: Engine, cached: bool = True) -> Callable[[int, str], dict[str, Any] | None]:
    """`read(site_id, visitor_id)`: the visitor's latest decision with the site's current policy facts, or None.

    A read of committed rows needs no transaction: it runs in autocommit on a connection the
    serving thread keeps, without the pool and session bookkeeping (see thread_connections.py).
    With `cached` it goes through a StateCache (state_cache.py) where the database has
    stamps: the shared file on SQLite, the listened notices on PostgreSQL (state_notify.py).
    """
    query = ThreadRead(engine, _CURRENT_STATE)

    def read(site_id: int, visitor_id: str) -> dict[str, Any] | None:
        return query.first(site_id=site_id, visitor_id=visitor_id)

    stamps = cache_stamps(engine) if cached else None
    return read if stamps is None else StateCache(stamps, read)


def history(site_id: int, visitor_id: str) -> list[Consent]:
    """Every record of a visitor on a site, oldest first."""
    return list(
        db.session.scalars(
            select(Consent).where(Consent.site_id == site_id, Consent.visitor_id == visitor_id).order_by(Consent.id)
        )
    )
