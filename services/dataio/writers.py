"""Tables → CSV (UTF-8 with BOM, what Japanese Excel opens correctly) or .xlsx with typed cells.

Why one writer: exports and the sample files must both escape formula-looking text (a cell starting with
= + - @ would run in Excel: it gets a leading apostrophe in CSV and is forced to a text cell in .xlsx) and
keep dates and numbers typed (real Excel dates and numbers, not text).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def escape_formula(value: str) -> str:
    """A text cell Excel would evaluate gets a leading apostrophe (OWASP CSV injection advice)."""
    if value and value.startswith(FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return escape_formula(value)
    return str(value)


def csv_bytes(header: list[str], rows: Iterable[Iterable], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buf.getvalue().encode(encoding)


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], sheet: str = "data") -> bytes:
    """Typed cells: Decimal → float, date → Excel date (yyyy-mm-dd), text → text (never a formula)."""
    import openpyxl
    from openpyxl.cell.cell import TYPE_STRING

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append(header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if isinstance(value, Decimal):
                value = float(value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # openpyxl would store "=..." as a formula
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for c, name in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = max(10, len(str(name)) * 2 + 2)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_bytes(fmt: str, header: list[str], rows: Iterable[Iterable], sheet: str = "data") -> tuple[bytes, str]:
    """(content, media type) for fmt 'csv' or 'xlsx'."""
    if fmt == "xlsx":
        return xlsx_bytes(header, rows, sheet), XLSX_MEDIA_TYPE
    if fmt == "csv":
        return csv_bytes(header, rows), CSV_MEDIA_TYPE
    from services.common.errors import InvalidArgument
    raise InvalidArgument(f"出力形式「{fmt}」には対応していません（csv または xlsx を指定してください）")
