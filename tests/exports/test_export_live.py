"""Exports through a real gunicorn: chunked streaming, attachment headers, files intact."""
import csv
import io
import zipfile

import pytest
import requests
from sqlalchemy import select

from consent_server.domain.sites import create_key
from consent_server.extensions import db
from consent_server.models import Site


@pytest.mark.slow
def test_exports_stream_through_gunicorn(live_server, add_records):
    demo = db.session.scalar(select(Site).where(Site.key == "demo"))
    _, token = create_key(site=demo, role="auditor")
    db.session.commit()
    add_records(demo, 12_000, page_path="=1+1")
    url = f"{live_server.url}/api/v1/sites/demo/consents"
    headers = {"Authorization": f"Bearer {token}"}

    response = requests.get(url, headers=headers, stream=True, timeout=60)
    assert response.status_code == 200
    assert response.headers.get("Transfer-Encoding") == "chunked"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="consents-demo-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 12_000 and rows[0]["page_path"] == "'=1+1"

    xlsx = requests.get(url, params={"format": "xlsx"}, headers=headers, timeout=60)
    book = zipfile.ZipFile(io.BytesIO(xlsx.content))
    assert book.testzip() is None
    assert book.read("xl/worksheets/sheet1.xml").count(b"<row ") == 12_001

    assert requests.get(url, timeout=10).status_code == 401
