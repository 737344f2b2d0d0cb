"""CSV export: one row per record, one column per purpose (pure, streaming)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from .formula import neutralise_row
from .records import Row, header

# Excel only reads a CSV file as UTF-8 when it starts with a byte-order mark;
# without it, å, ä and ö turn into mojibake for the Swedish shops this is for.
BOM = "\ufeff"


def iter_csv(
    batches: Iterable[Sequence[Row]], purposes: Sequence[str], *, neutralised: bool = False
) -> Iterator[bytes]:
    """Yield the CSV document as UTF-8 bytes, one chunk per batch of readable rows (constant memory).

    ``neutralised=True`` when the rows come from ``query.readable_columns``, which
    neutralises in SQL (a Python pass per cell would cost a third of the rate).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header(purposes))
    yield _drain(buffer)
    for batch in batches:
        writer.writerows(batch if neutralised else map(neutralise_row, batch))
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    """Take what the buffer holds, encoded, and empty it."""
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate(0)
    return data
