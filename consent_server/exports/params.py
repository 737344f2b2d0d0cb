"""Parameters of the auditor export, shared by the API (query string) and the CLI (options)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..api.patterns import FullMatch
from ..models import ACTIONS
from .query import Filters
from .service import FORMATS, TIME_ONLY_FORMATS

PURPOSE = r"^[a-z][a-z0-9_]{1,31}$"


class Moment(fields.Field):
    """A date (``2026-01-31``) or an RFC 3339 time; a naive time is UTC. As ``to``, a date includes its day."""

    def __init__(self, *, end: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.end = end

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        if not isinstance(value, str):
            raise ValidationError("Give a date (YYYY-MM-DD) or an RFC 3339 time.")
        try:
            if len(value) == 10:
                return self._day(date.fromisoformat(value))
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
        except ValueError as error:
            raise ValidationError("Give a date (YYYY-MM-DD) or an RFC 3339 time.") from error
        try:
            return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
        except OverflowError as error:  # 9999-12-31T23:00-01:00 is in the year 10000 in UTC
            raise ValidationError("Give a time between the years 1 and 9999 in UTC.") from error

    def _day(self, day: date) -> datetime:
        if self.end and day == date.max:
            # The day after the last day there is: the last moment there is (only it is left out).
            return datetime.max.replace(tzinfo=timezone.utc)
        return datetime.combine(day + timedelta(days=1 if self.end else 0), time(), timezone.utc)


class ExportArgs(Schema):
    """Query parameters of the export."""

    class Meta:
        unknown = "raise"

    from_ = Moment(data_key="from", metadata={"description": "Records recorded at or after (date or RFC 3339)."})
    to = Moment(end=True, metadata={"description": "Records recorded before; a date includes that whole day."})
    purpose = fields.String(validate=FullMatch(PURPOSE), metadata={"description": "Only records that decided this purpose."})
    decision = fields.String(validate=validate.OneOf(("granted", "denied")),
                             metadata={"description": "With purpose: only records that granted (or denied) it."})
    action = fields.String(validate=validate.OneOf(ACTIONS), metadata={"description": "Only records made with this action."})
    format = fields.String(load_default="csv", validate=validate.OneOf(tuple(FORMATS)),
                           metadata={"description": "csv, jsonl, xlsx or iso27560 (JSON)."})

    @validates_schema
    def _consistent(self, data, **_kwargs) -> None:
        if "from_" in data and "to" in data and data["from_"] >= data["to"]:
            raise ValidationError("Must be later than 'from'.", "to")
        if "decision" in data and "purpose" not in data:
            raise ValidationError("Needs 'purpose'.", "decision")
        if data.get("format") in TIME_ONLY_FORMATS:
            for name in ("purpose", "decision", "action"):
                if name in data:
                    raise ValidationError(
                        "The jsonl proof export covers whole sealed batches so verify can check them: "
                        "filter by from/to only (use csv, xlsx or iso27560 to filter further).", name)


def filters_from(args: dict) -> Filters:
    """Turn parsed arguments into export filters."""
    return Filters(
        start=args.get("from_"), end=args.get("to"), purpose=args.get("purpose"),
        decision=args.get("decision"), action=args.get("action"),
    )
