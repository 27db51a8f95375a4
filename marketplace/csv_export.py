"""Every CSV Linli writes goes through here: cells that a spreadsheet would run as a formula
are neutralised, and the file is served as a download.

CSV injection (OWASP, "CSV Injection"): a spreadsheet runs a cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (``=HYPERLINK(...)``, ``=cmd|...``). A
text cell starting with one of them, or with its full-width form (``＝`` from a Chinese IME,
which NFKC maps to ``=``), is written with a single quote in front, as OWASP advises: the
spreadsheet shows the text, never runs it.

Numbers are the one exception, and only numbers Linli formats itself: an ``int`` or a
``Decimal`` cell is written as its plain digits (``-500.00`` stays a negative amount a
spreadsheet reads as a number; a number cannot hold a formula). Every other value, a money
amount already turned into a string included, is text and is escaped when it starts so.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from oscar.core.compat import UnicodeCSVWriter

#: A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_START = frozenset("=+-@\t\r")
BOM = "\ufeff"  # so that Excel reads UTF-8 (the Chinese) rather than the local code page


def csv_cell(value) -> str | int | Decimal:
    """One cell, safe to open in a spreadsheet.

    ``int`` and ``Decimal`` (not ``bool``) are returned unchanged, as numbers; ``None`` is
    ``""``; anything else is text (``str(value)``), prefixed with ``'`` when its first
    character, NFKC-normalised, is in ``FORMULA_START``.
    """
    if value is None:
        return ""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        if isinstance(value, Decimal) and not value.is_finite():
            return str(value)
        return value
    text = str(value)
    if text and unicodedata.normalize("NFKC", text[0])[:1] in FORMULA_START:
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable], *, header: Iterable | None = None) -> str:
    """``header`` (if any) and ``rows`` as CSV text (CRLF lines, a BOM first), every cell
    through ``csv_cell``."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    if header is not None:
        writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def csv_download(text: str, *, filename: str) -> HttpResponse:
    """``text`` (from ``csv_text``) as a download: ``text/csv; charset=utf-8`` with
    ``Content-Disposition: attachment; filename=...`` (RFC 6266, non-ASCII names encoded)."""
    response = csv_attachment(filename=filename)
    response.write(text)
    return response


class SpreadsheetSafeWriter(UnicodeCSVWriter):
    """Oscar's CSV writer (its dashboard's reports use it), with every cell through
    ``csv_cell``: what Oscar's dashboard writes is as safe as Linli's own CSVs."""

    def writerow(self, row):
        """Write one row, each cell neutralised by ``csv_cell``."""
        super().writerow([csv_cell(value) for value in row])


def csv_attachment(*, filename: str) -> HttpResponse:
    """An empty ``text/csv; charset=utf-8`` download named ``filename`` (RFC 6266), for a
    writer (``SpreadsheetSafeWriter``) to fill."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
