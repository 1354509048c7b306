"""Cardif's Progestor file: the Code Apporteur is the smallest code of its code column.

CSV (`;` or `,`, UTF-8 with or without BOM, or Latin-1) or XLSX (read with openpyxl). The code
column is found by its header; codes are compared as numbers (99999 < 100000); repeats and
blank cells are ignored.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from retrievers.errors import UnexpectedFile

CODE_HEADER = re.compile(r"^\s*code[\s_-]*apporteurs?\s*$", re.IGNORECASE)
_XLSX_MAGIC = b"PK\x03\x04"


def smallest_code(path: Path, name: str) -> str:
    """The smallest Code Apporteur of the file at `path` (`name`: as the portal named it)."""
    rows = _rows(path.read_bytes(), name)
    header_at = next((i for i, row in enumerate(rows[:20])
                      if any(CODE_HEADER.match(cell) for cell in row)), None)
    if header_at is None:
        seen = " | ".join(c for c in (rows[0] if rows else []) if c) or "nothing"
        raise UnexpectedFile(f"the Progestor file {name} has no « Code apporteur » column "
                             f"(its first row reads: {seen[:200]})")
    column = next(i for i, cell in enumerate(rows[header_at]) if CODE_HEADER.match(cell))
    codes = {cell.strip() for row in rows[header_at + 1:] if column < len(row)
             for cell in [row[column]] if cell.strip()}
    numeric = {c.removesuffix(".0") for c in codes if re.fullmatch(r"\d+(\.0)?", c)}
    if not numeric:
        raise UnexpectedFile(f"the Progestor file {name} lists no Code Apporteur under its "
                             "« Code apporteur » column")
    return min(numeric, key=int)


def _rows(data: bytes, name: str) -> list[list[str]]:
    if data.startswith(_XLSX_MAGIC):
        return _xlsx_rows(data, name)
    if b"\x00" in data:
        raise UnexpectedFile(f"the Progestor file {name} is neither CSV text nor an XLSX "
                             "workbook: it could not be read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # every byte is a Latin-1 character
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if text.count(";") >= text.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(data: bytes, name: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML errors...
        raise UnexpectedFile(f"the Progestor file {name} could not be read as an XLSX "
                             f"workbook ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        return [["" if v is None else _cell(v) for v in row]
                for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
