"""File → (header, stream of (line number, cells)), for CSV in UTF-8 (BOM or not) or CP932, and .xlsx.

Why this shape: a million-row file must stream, so nothing here holds more than one line (or one sheet
row) at a time. The format is decided by content, not by the file name: a ZIP signature is a workbook,
NUL bytes are a binary file, and the text encoding is chosen from a sample by line votes. A file whose
lines disagree (some UTF-8, some Shift_JIS) is refused rather than stored as mojibake.
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from services.common.errors import InvalidArgument

MAX_COLUMNS = 200
SAMPLE_BYTES = 256 * 1024
MAX_FIELD_CHARS = 100_000
ZIP_MAGIC = b"PK\x03\x04"
_BINARY_SIGNATURES = (b"\x7fELF", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"MZ", b"\x1f\x8b", b"BZh",
                      b"\xd0\xcf\x11\xe0")  # ... , OLE2 (legacy .xls)
csv.field_size_limit(MAX_FIELD_CHARS)


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list]]  # (line number as a clerk counts it, header = 1; cells)
    fmt: str                          # "csv" | "xlsx"
    encoding: str                     # "utf-8" | "utf-8-sig" | "cp932" | "xlsx"


def open_table(fh: BinaryIO, file_name: str = "") -> Table:
    """Sniff and open. Raises InvalidArgument (nothing read further) for empty, binary or undecodable files."""
    head = fh.read(SAMPLE_BYTES)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InvalidArgument("ファイルが空です。見出し行とデータ行のあるCSVまたはExcelファイルを指定してください")
    fh.seek(0)
    if head.startswith(ZIP_MAGIC):
        return _open_xlsx(fh, file_name)
    if head.startswith(_BINARY_SIGNATURES) or b"\x00" in head:
        raise InvalidArgument(f"{file_name or 'ファイル'} はCSVではありません（バイナリファイルです）。"
                              "CSV（UTF-8 または Shift_JIS）か .xlsx で保存し直してください")
    encoding = detect_encoding(head)
    return _open_csv(fh, encoding)


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) or CP932, by line votes over the sample; both present → mixed, refused."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    lines = sample.split(b"\n")
    if len(sample) >= SAMPLE_BYTES:
        lines = lines[:-1]  # the last line may be cut in the middle of a character
    utf8 = sjis = 0
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
            continue
        except UnicodeDecodeError:
            pass
        try:
            line.decode("cp932")
            sjis += 1
        except UnicodeDecodeError:
            raise InvalidArgument(f"{number}行目の文字コードを判別できません。UTF-8 か Shift_JIS(CP932) で"
                                  "保存し直してください") from None
        if utf8 and sjis:
            raise _mixed(number)
    return "cp932" if sjis else "utf-8"


def _mixed(line: int) -> InvalidArgument:
    return InvalidArgument(f"文字コードが混在しています（{line}行目付近で UTF-8 と Shift_JIS が混ざっています）。"
                           "1つの文字コードで保存し直してください。何も取り込んでいません")


def _decoded_lines(fh: BinaryIO, encoding: str) -> Iterator[str]:
    """Decode line by line; in a CP932 file a line that is valid non-ASCII UTF-8 betrays a mixed file."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    first = True
    for number, raw in enumerate(fh, start=1):
        if first and encoding == "utf-8-sig":
            raw = raw[3:]
        first = False
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            raise _mixed(number) from None
        if codec == "cp932" and not raw.isascii():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise _mixed(number)
        yield text


def _open_csv(fh: BinaryIO, encoding: str) -> Table:
    reader = csv.reader(_decoded_lines(fh, encoding))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidArgument("ファイルが空です") from None
    except csv.Error as exc:
        raise InvalidArgument(f"見出し行を読めません（{exc}）") from None
    _check_header(header)

    def rows() -> Iterator[tuple[int, list]]:
        line = 1
        try:
            for cells in reader:
                line += 1
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                yield line, cells
        except csv.Error as exc:
            raise InvalidArgument(f"{line + 1}行目を読めません（{exc}）。引用符「\"」の閉じ忘れがないか確認してください") from None

    return Table(header=header, rows=rows(), fmt="csv", encoding=encoding)


def _open_xlsx(fh: BinaryIO, file_name: str) -> Table:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidArgument(f"{file_name or 'ファイル'} をExcelファイルとして開けません（{type(exc).__name__}）。"
                              ".xlsx 形式で保存し直してください") from None
    sheet = book.worksheets[0]
    if (sheet.max_column or 0) > MAX_COLUMNS:
        book.close()
        raise _too_wide(sheet.max_column)
    it = sheet.iter_rows(values_only=True)
    header_row = next(it, None)
    if header_row is None:
        book.close()
        raise InvalidArgument("シートが空です。1行目に見出し、2行目からデータを入れてください")
    header = ["" if c is None else str(c) for c in header_row]
    while header and not header[-1].strip():
        header.pop()
    _check_header(header)

    def rows() -> Iterator[tuple[int, list]]:
        try:
            for number, row in enumerate(it, start=2):
                cells = ["" if c is None else c for c in row[:len(header)]]
                if all(isinstance(c, str) and not c.strip() for c in cells):
                    continue
                yield number, cells
        finally:
            book.close()

    return Table(header=header, rows=rows(), fmt="xlsx", encoding="xlsx")


def _check_header(header: list[str]) -> None:
    if len(header) > MAX_COLUMNS:
        raise _too_wide(len(header))
    if not any(str(h).strip() for h in header):
        raise InvalidArgument("1行目（見出し行）が空です。列名を入れてください")


def _too_wide(n: int) -> InvalidArgument:
    return InvalidArgument(f"列が多すぎます（{n}列、上限{MAX_COLUMNS}列）。取り込む種類の列だけにしてください")


def open_bytes(data: bytes, file_name: str = "") -> Table:
    return open_table(io.BytesIO(data), file_name)
