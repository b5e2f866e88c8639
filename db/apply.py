"""Bring a database's schema up to date (`python -m db.apply [--database NAME]`).

The schema is the numbered migrations in db/migrations/ (001 is the former schema.sql); `apply_schema`
keeps its signature for its callers and runs the pending ones through db.migrate, so applying twice is a
no-op and an existing database is never dropped to upgrade. This module also owns the SQL splitter.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from db.connect import parse_database_url

SCHEMA_PATH = Path(__file__).with_name("migrations") / "001_schema.sql"  # the baseline (former schema.sql)


def split_statements(sql: str) -> list[str]:
    """Split on `;` outside quotes, dropping `--` and `#` line comments (which may contain `;`)."""
    statements: list[str] = []
    buf: list[str] = []
    quote: str | None = None
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if quote:
            buf.append(ch)
            if ch == "\\" and i + 1 < n:
                buf.append(sql[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in ("'", '"', "`"):
            quote = ch
            buf.append(ch)
        elif (ch == "-" and sql.startswith("-- ", i)) or ch == "#":
            end = sql.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch == ";":
            stmt = "".join(buf).strip()
            if stmt:
                statements.append(stmt)
            buf = []
        else:
            buf.append(ch)
        i += 1
    tail = "".join(buf).strip()
    if tail:
        statements.append(tail)
    return statements


def schema_statements(path: Path = SCHEMA_PATH) -> list[str]:
    return split_statements(path.read_text(encoding="utf-8"))


def apply_schema(database: str | None = None, url: str | None = None, create: bool = True) -> int:
    """Create the database if needed and apply every pending migration. Returns the statements run."""
    from db.migrate import migrate  # db.migrate imports this module's splitter
    return migrate(database, url, create=create)["statements"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.apply", description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database name (default: the one in DATABASE_URL)")
    args = parser.parse_args(argv)
    count = apply_schema(args.database)
    name = args.database or parse_database_url()["database"]
    print(f"applied {count} statements to {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
