"""XLSX writer (pure): string cells, neutralisation, valid XML with control characters, sheet roll-over."""
import io
import re
import zipfile
from xml.etree import ElementTree

from consent_server.exports.records import header
from consent_server.exports.xlsx_writer import iter_xlsx

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def sheets(chunks) -> dict[str, list[list[tuple[str | None, str]]]]:
    """Every worksheet as rows of (cell type, text)."""
    book = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    result = {}
    for name in sorted(n for n in book.namelist() if n.startswith("xl/worksheets/sheet")):
        root = ElementTree.fromstring(book.read(name))  # raises on invalid XML
        rows = []
        for row in root.iterfind(".//m:sheetData/m:row", NS):
            cells = []
            for cell in row.iterfind("m:c", NS):
                t = cell.get("t")
                if t == "inlineStr":
                    value = "".join(x.text or "" for x in cell.iterfind(".//m:t", NS))
                elif t == "s":
                    raise AssertionError("shared strings are not expected in constant-memory mode")
                else:
                    value = cell.findtext("m:v", default="", namespaces=NS)
                cells.append((t, value))
            rows.append(cells)
        result[name] = rows
    return result


def unescape(text: str) -> str:
    """Undo OOXML's _xHHHH_ escaping of characters XML cannot hold."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def test_header_and_rows(readable, purposes):
    (rows,) = sheets(iter_xlsx([[readable(id=7)]], purposes)).values()
    assert [v for _, v in rows[0]] == header(purposes)
    assert rows[1][0] == (None, "7")  # id is a number cell
    titles = [v for _, v in rows[0]]
    cells = dict(zip(titles, rows[1]))
    assert cells["purpose:analytics"] == ("inlineStr", "granted")
    assert cells["purpose:marketing"] == ("inlineStr", "denied")


def test_formula_text_is_a_string_cell_with_a_quote(readable, purposes):
    row = readable(visitor_id="=1+2", page_path="@SUM(A1)", user_agent="\t-3")
    (rows,) = sheets(iter_xlsx([[row]], purposes)).values()
    cells = dict(zip([v for _, v in rows[0]], rows[1]))
    assert cells["visitor_id"] == ("inlineStr", "'=1+2")
    assert cells["page_path"] == ("inlineStr", "'@SUM(A1)")
    assert unescape(cells["user_agent"][1]) == "'\t-3"
    # Only numbers (id, version) and inline strings; never a formula cell.
    assert {t for t, _ in rows[1]} == {None, "inlineStr"}


def test_control_characters_keep_the_xml_valid(readable, purposes):
    odd = "åäö ☃ <&> \x00\x01\x1b end"
    (rows,) = sheets(iter_xlsx([[readable(page_path=odd)]], purposes)).values()
    cells = dict(zip([v for _, v in rows[0]], rows[1]))
    assert unescape(cells["page_path"][1]) == odd


def test_rows_past_the_limit_continue_on_a_new_sheet(readable, purposes):
    book = sheets(iter_xlsx([[readable(id=i) for i in range(1, 6)]], purposes, max_rows=3))
    counts = [len(rows) for rows in book.values()]
    assert counts == [3, 3, 2]  # a header and at most two records per sheet
    assert [rows[1][0][1] for rows in book.values()] == ["1", "3", "5"]


def test_empty_export_is_a_valid_workbook(purposes):
    (rows,) = sheets(iter_xlsx([], purposes)).values()
    assert len(rows) == 1


def test_spool_file_is_removed(readable, purposes, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    stream = iter_xlsx([[readable()]], purposes)
    next(stream)
    assert list(tmp_path.iterdir())
    stream.close()
    assert not list(tmp_path.iterdir())
