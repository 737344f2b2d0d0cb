"""XLSX export through xlsxwriter's constant-memory mode, spooled via a temporary file (pure).

xlsxwriter can only produce the zip container once every row is written, so
the workbook goes to a temporary file (rows are flushed to disk as they are
written, which keeps memory flat) and the finished file is then streamed in
fixed-size chunks and deleted.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence

import xlsxwriter

from .formula import neutralise_row
from .records import Row, header

CHUNK_BYTES = 256 * 1024
MAX_ROWS = 1_048_576  # Excel's row limit per worksheet; a longer export continues on a new sheet.
SHEET = "consents"


def iter_xlsx(
    batches: Iterable[Sequence[Row]], purposes: Sequence[str], *, max_rows: int = MAX_ROWS
) -> Iterator[bytes]:
    """Yield an XLSX workbook of the readable rows, in chunks; every text cell is written as a string."""
    fd, path = tempfile.mkstemp(prefix="consent-export-", suffix=".xlsx")
    os.close(fd)
    try:
        _write_workbook(path, batches, purposes, max_rows)
        with open(path, "rb") as spool:
            while chunk := spool.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)


def _write_workbook(path: str, batches: Iterable[Sequence[Row]], purposes: Sequence[str], max_rows: int) -> None:
    """Write every row into a constant-memory workbook at ``path``."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": os.path.dirname(path)})
    titles = header(purposes)
    sheets = 0
    sheet, row_no = None, max_rows
    try:
        for batch in batches:
            for record in batch:
                if row_no >= max_rows:
                    sheets += 1
                    sheet = _new_sheet(workbook, titles, sheets)
                    row_no = 1
                for col, value in enumerate(neutralise_row(record)):
                    # write_string/write_number explicitly: xlsxwriter's write() would
                    # turn a text starting with "=" into a formula.
                    if isinstance(value, str):
                        sheet.write_string(row_no, col, value)
                    else:
                        sheet.write_number(row_no, col, value)
                row_no += 1
        if sheet is None:
            _new_sheet(workbook, titles, 1)
    finally:
        workbook.close()


def _new_sheet(workbook: xlsxwriter.Workbook, titles: Sequence[str], number: int):
    """Add a worksheet with the header row (bold, frozen)."""
    sheet = workbook.add_worksheet(SHEET if number == 1 else f"{SHEET} ({number})")
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(titles):
        sheet.write_string(0, col, title, bold)
    sheet.freeze_panes(1, 0)
    return sheet
