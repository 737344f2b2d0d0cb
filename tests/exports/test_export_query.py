"""Streaming reads: batches of bounded size, never the whole log at once."""
import types

from sqlalchemy import String, cast, literal, select

from consent_server.exports.formula import neutralise
from consent_server.exports.query import Filters, iter_batches, neutralised, readable_columns, record_select
from consent_server.exports.service import build_export
from consent_server.extensions import db


def test_batches_are_bounded_and_in_id_order(site, add_records):
    add_records(site, 25)
    batches = iter_batches(db.engine, site.id, Filters(), batch=10)
    assert isinstance(batches, types.GeneratorType)
    sizes, ids = [], []
    for batch in batches:
        sizes.append(len(batch))
        ids.extend(row[0] for row in batch)
    assert sizes == [10, 10, 5]
    assert ids == sorted(ids) and len(set(ids)) == 25


def test_visitor_batches(site, add_records):
    add_records(site, 7, visitor_id="visitor-paged-000001")
    add_records(site, 3)
    batches = list(iter_batches(db.engine, site.id, Filters(visitor_id="visitor-paged-000001"), batch=3))
    assert [len(b) for b in batches] == [3, 3, 1]


def test_filtered_pages_skip_other_rows(site, other_site, add_records):
    add_records(site, 5, action="accept_all")
    add_records(other_site, 5, action="custom")
    add_records(site, 5, action="custom")
    batches = list(iter_batches(db.engine, site.id, Filters(action="custom"), batch=2))
    assert [len(b) for b in batches] == [2, 2, 1]


def test_an_export_is_lazy_and_chunked(site, add_records):
    add_records(site, 30)
    export = build_export(site, "csv", Filters(), batch=10)
    assert isinstance(export.chunks, types.GeneratorType)
    chunks = list(export.chunks)
    assert len(chunks) == 4  # the header, then one chunk per batch of 10 records


def test_the_http_response_streams_chunk_by_chunk(client, site, add_records, owner_key, bearer):
    add_records(site, 12_000)
    response = client.get("/api/v1/sites/shop/consents", headers=bearer(owner_key), buffered=False)
    assert response.is_streamed
    chunks = list(response.response)
    assert len(chunks) >= 3  # header + 5000-record batches: never one body with everything
    assert max(len(c) for c in chunks) < sum(len(c) for c in chunks) / 2
    response.close()


TRICKY = ["=1+2", "+1", "-1", "@x", "\t=1", "\r=1", "", "a=b", "'=x", " =1", "/kassa", "åäö", "-", "=", None]


def test_sql_neutralisation_matches_the_pure_module(app):
    dialect = db.engine.dialect.name
    for value in TRICKY:
        expression = neutralised(cast(literal(value, String), String), dialect)
        got = db.session.scalar(select(expression))
        assert got == ("" if value is None else neutralise(value)), value


def test_readable_pages_are_the_rows_of_one_select(site, other_site, add_records, purposes):
    # PostgreSQL reads readable rows from one server-side cursor, SQLite in keyset pages:
    # either way, the same rows in the same order as one plain select, none empty, none twice.
    for n in range(4):
        add_records(site, 3 + n, action="custom" if n % 2 else "accept_all")
        add_records(other_site, 4)
    for filters in (Filters(), Filters(action="custom")):
        batches = list(iter_batches(db.engine, site.id, filters, batch=4, readable=purposes))
        assert all(batches) and all(len(batch) <= 4 for batch in batches)
        expected = db.session.execute(
            record_select(site.id, filters, columns=readable_columns(purposes, db.engine.dialect.name))
        ).all()
        assert [tuple(row) for batch in batches for row in batch] == [tuple(row) for row in expected]
