"""CSV writer (pure): layout, per-purpose columns, neutralisation, control characters."""
import csv
import io

from consent_server.exports.csv_writer import BOM, iter_csv
from consent_server.exports.records import header


def read(chunks) -> list[list[str]]:
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_header_then_one_row_per_record(readable, purposes):
    rows = read(iter_csv([[readable(id=1), readable(id=2)], [readable(id=3)]], purposes))
    assert rows[0] == header(purposes)
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]


def test_a_column_per_purpose(readable, purposes):
    row = readable(**{"purpose:analytics": "denied", "purpose:marketing": ""})
    rows = read(iter_csv([[row]], purposes))
    cells = dict(zip(rows[0], rows[1]))
    assert cells["purpose:necessary"] == "granted"
    assert cells["purpose:analytics"] == "denied"
    assert cells["purpose:marketing"] == ""
    assert cells["id"] == "1"


def test_formula_values_are_neutralised(readable, purposes):
    row = readable(visitor_id="=HYPERLINK(\"http://evil\")", page_path="-2+3", user_agent="@cmd", browser="+x")
    cells = dict(zip(*read(iter_csv([[row]], purposes))))
    assert cells["visitor_id"] == "'=HYPERLINK(\"http://evil\")"
    assert cells["page_path"] == "'-2+3"
    assert cells["user_agent"] == "'@cmd"
    assert cells["browser"] == "'+x"


def test_unicode_and_control_characters_round_trip(readable, purposes):
    odd = "åäö ☃ \u2028 a,b \"q\" line\r\nbreak \x00\x1b"
    cells = dict(zip(*read(iter_csv([[readable(page_path=odd)]], purposes))))
    assert cells["page_path"] == odd


def test_chunk_per_batch(readable, purposes):
    chunks = list(iter_csv([[readable()] * 3, [readable()] * 2], purposes))
    assert len(chunks) == 3  # header, then one chunk per batch
    assert chunks[1].count(b"\r\n") == 3


def test_no_records_gives_header_only(purposes):
    assert read(iter_csv([], purposes)) == [header(purposes)]
