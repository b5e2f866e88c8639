"""Numbered schema migrations: `db/migrations/NNN_name.sql` (or `.py` with `up(cursor)`), applied in order.

Why: a site's database holds its own imported data, so the schema can never again be changed by dropping
and reloading. Every migration is idempotent on its own (CREATE ... IF NOT EXISTS, ALTER ... IF NOT EXISTS,
or a .py that checks information_schema first) and is recorded in `schema_migrations`, so applying the set
again, to a fresh database, to an old restored backup or to a database created before migrations existed,
only runs what is missing. A MariaDB named lock serialises concurrent runners (make data, engines, restore).

    python -m db.migrate [--database NAME] [--status]
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from db.connect import connect, ensure_database, parse_database_url

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.(sql|py)$")
LOCK_NAME = "aimee:schema_migrations"
LOCK_WAIT_SECONDS = 60

_LEDGER = """CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INT          PRIMARY KEY,
  name       VARCHAR(128) NOT NULL,
  checksum   CHAR(64)     NOT NULL COMMENT 'sha256 of the file when it was applied',
  applied_at TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def statements(self) -> list[str]:
        from db.apply import split_statements  # one SQL splitter (db.apply keeps its public API)
        return split_statements(self.path.read_text(encoding="utf-8"))

    def run(self, cur) -> int:
        if self.path.suffix == ".sql":
            stmts = self.statements()
            for stmt in stmts:
                cur.execute(stmt)
            return len(stmts)
        spec = importlib.util.spec_from_file_location(f"aimee_migration_{self.version:03d}", self.path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.up(cur)
        return 1


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file in version order; two files with one number are a packaging error."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.iterdir()):
        match = _NAME.match(path.name)
        if not match:
            continue
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"two migrations numbered {version:03d}: {found[version].path.name}, {path.name}")
        found[version] = Migration(version, match.group(2), path)
    return [found[v] for v in sorted(found)]


def applied_versions(cur) -> dict[int, str]:
    cur.execute("SELECT COUNT(*) FROM information_schema.tables "
                "WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'")
    if not cur.fetchone()[0]:
        return {}
    cur.execute("SELECT version, checksum FROM schema_migrations")
    return {int(v): c for v, c in cur.fetchall()}


def schema_version(database: str | None = None, url: str | None = None) -> int:
    """Highest applied migration (0 for a database that has none recorded)."""
    with connect(database=database, url=url) as conn, conn.cursor() as cur:
        versions = applied_versions(cur)
    return max(versions, default=0)


def migrate(database: str | None = None, url: str | None = None, create: bool = True,
            directory: Path = MIGRATIONS_DIR) -> dict:
    """Apply every pending migration. Returns {'applied': [versions], 'statements': n, 'version': latest}."""
    name = database or parse_database_url(url)["database"] or "aimee_db"
    if create:
        ensure_database(name, url)
    migrations = discover(directory)
    applied: list[int] = []
    statements = 0
    with connect(database=name, url=url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT GET_LOCK(%s, %s)", (LOCK_NAME, LOCK_WAIT_SECONDS))
        if cur.fetchone()[0] != 1:
            raise RuntimeError(f"another process holds {LOCK_NAME} for more than {LOCK_WAIT_SECONDS}s")
        try:
            cur.execute(_LEDGER)
            done = applied_versions(cur)
            for migration in migrations:
                if migration.version in done:
                    continue
                statements += migration.run(cur)
                cur.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                            (migration.version, migration.name, migration.checksum))
                applied.append(migration.version)
        finally:
            cur.execute("SELECT RELEASE_LOCK(%s)", (LOCK_NAME,))
            cur.fetchone()
    return {"database": name, "applied": applied, "statements": statements,
            "version": max([m.version for m in migrations], default=0)}


def status(database: str | None = None, url: str | None = None) -> list[dict]:
    """Each known migration with applied / pending / changed-since-applied."""
    with connect(database=database, url=url) as conn, conn.cursor() as cur:
        done = applied_versions(cur)
    rows = []
    for m in discover():
        state = "pending" if m.version not in done else ("applied" if done[m.version] == m.checksum else "changed")
        rows.append({"version": m.version, "name": m.name, "state": state})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.migrate", description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database name (default: the one in DATABASE_URL)")
    parser.add_argument("--status", action="store_true", help="list migrations and their state, change nothing")
    args = parser.parse_args(argv)
    if args.status:
        for row in status(args.database):
            print(f"{row['version']:03d} {row['name']:32s} {row['state']}")
        return 0
    report = migrate(args.database)
    done = ", ".join(f"{v:03d}" for v in report["applied"]) or "none"
    print(f"{report['database']}: schema version {report['version']} (applied now: {done})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
