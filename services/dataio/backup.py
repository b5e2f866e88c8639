"""`make backup` / `make restore`: one .tar.gz with a consistent MySQL dump, the Chroma store and a manifest.

Archive layout:
    manifest.json   format, created_at, database, schema_version, row counts per table, sha256 per file
    dump.sql        mysqldump --single-transaction (one consistent snapshot, InnoDB, no table locks)
    chroma/...      the embedded Chroma folder (CHROMADB_PATH); its SQLite file copied with SQLite's
                    online-backup API, so a running knowledge engine does not tear it
Restore verifies every checksum first, refuses a non-empty target database or Chroma folder unless
forced, loads the dump with the mysql client, applies pending migrations (an older backup is brought
forward) and compares the row counts with the manifest.

    python -m services.dataio backup [--database NAME] [--out DIR]
    python -m services.dataio restore FILE [--database NAME] [--chroma-path DIR] [--force]
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from db.connect import check_database_name, connect, drop_database, ensure_database, parse_database_url
from db.migrate import migrate, schema_version
from services.common.errors import FailedPrecondition, InvalidArgument

FORMAT = 1
DUMP_TOOLS = ("mariadb-dump", "mysqldump")
CLIENT_TOOLS = ("mariadb", "mysql")
# Not compared after a restore: the restore's own migrations add ledger rows (and new tables start empty).
NOT_COMPARED = ("schema_migrations",)


def _tool(names: tuple[str, ...]) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    raise FailedPrecondition(f"{' / '.join(names)} が見つかりません。MySQL/MariaDB クライアントをインストールしてください")


def _client_args(url: str | None, database: str) -> tuple[list[str], dict]:
    kw = parse_database_url(url)
    args = [f"--host={kw['host']}", f"--port={kw['port']}", f"--user={kw['user']}",
            "--default-character-set=utf8mb4"]
    if kw.get("unix_socket"):
        args.append(f"--socket={kw['unix_socket']}")
    env = dict(os.environ)
    if kw["password"]:
        env["MYSQL_PWD"] = kw["password"]  # never on the command line (ps would show it)
    return args, env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def row_counts(database: str, url: str | None = None) -> dict[str, int]:
    with connect(database=database, url=url) as conn, conn.cursor() as cur:
        cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                    "AND table_type = 'BASE TABLE' ORDER BY table_name", (database,))
        tables = [r[0] for r in cur.fetchall()]
        counts = {}
        for table in tables:
            cur.execute(f"SELECT COUNT(*) FROM `{table}`")
            counts[table] = cur.fetchone()[0]
    return counts


def _copy_chroma(src: Path, dst: Path) -> None:
    """Copy the folder; *.sqlite3 files through SQLite's backup API (consistent while in use)."""
    for path in src.rglob("*"):
        target = dst / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.suffix == ".sqlite3":
            target.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source, sqlite3.connect(target) as copy:
                source.backup(copy)
        elif not path.name.endswith(("-wal", "-shm", "-journal")):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def backup(database: str, out_dir: str | Path, chroma_path: str | Path | None, url: str | None = None) -> Path:
    """Write the archive and return its path."""
    check_database_name(database)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    archive = out_dir / f"aimee-{database}-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="aimee-backup-") as tmp:
        work = Path(tmp)
        counts = row_counts(database, url)  # before the dump: the manifest says what was there
        args, env = _client_args(url, database)
        dump = work / "dump.sql"
        with open(dump, "wb") as fh:
            subprocess.run([_tool(DUMP_TOOLS), *args, "--single-transaction", "--quick", "--routines",
                            "--triggers", "--hex-blob", "--no-tablespaces", database],
                           stdout=fh, stderr=subprocess.PIPE, env=env, check=True)
        files = ["dump.sql"]
        chroma = Path(chroma_path) if chroma_path else None
        if chroma and chroma.is_dir():
            _copy_chroma(chroma, work / "chroma")
            files += [str(p.relative_to(work)) for p in sorted((work / "chroma").rglob("*")) if p.is_file()]
        manifest = {
            "format": FORMAT, "created_at": dt.datetime.now().isoformat(timespec="seconds"),
            "database": database, "schema_version": schema_version(database, url), "row_counts": counts,
            "chroma": bool(chroma and chroma.is_dir()),
            "checksums": {name: _sha256(work / name) for name in files},
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            for name in files:
                tar.add(work / name, arcname=name)
        partial.rename(archive)
    return archive


def read_manifest(archive: str | Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise InvalidArgument(f"{archive} は AIMEE のバックアップではありません（manifest.json がありません）")
        return json.loads(member.read().decode("utf-8"))


def restore(archive: str | Path, database: str, chroma_path: str | Path | None, url: str | None = None,
            force: bool = False) -> dict:
    """Bring `database` (and the Chroma folder) to the archive's state. Returns the comparison report."""
    check_database_name(database)
    archive = Path(archive)
    if not archive.is_file():
        raise InvalidArgument(f"バックアップファイル {archive} が見つかりません")
    with tempfile.TemporaryDirectory(prefix="aimee-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(work, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise InvalidArgument(f"{archive.name} を展開できません（{exc}）") from None
        manifest_path = work / "manifest.json"
        if not manifest_path.is_file():
            raise InvalidArgument(f"{archive.name} は AIMEE のバックアップではありません（manifest.json がありません）")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for name, digest in manifest["checksums"].items():
            if not (work / name).is_file() or _sha256(work / name) != digest:
                raise InvalidArgument(f"バックアップが壊れています（{name} のチェックサムが一致しません）。何も復元していません")
        _check_target(database, chroma_path, manifest, force, url)
        if force:
            drop_database(database, url)
        ensure_database(database, url)
        args, env = _client_args(url, database)
        with open(work / "dump.sql", "rb") as fh:
            run = subprocess.run([_tool(CLIENT_TOOLS), *args, database], stdin=fh, stderr=subprocess.PIPE, env=env)
        if run.returncode != 0:
            raise FailedPrecondition(f"ダンプの読み込みに失敗しました: {run.stderr.decode(errors='replace')[:500]}")
        before = schema_version(database, url)
        migrated = migrate(database, url)
        if manifest.get("chroma") and chroma_path:
            target = Path(chroma_path)
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(work / "chroma", target)
    counts = row_counts(database, url)
    expected = manifest["row_counts"]
    mismatched = {t: {"backup": n, "restored": counts.get(t)} for t, n in expected.items()
                  if t not in NOT_COMPARED and counts.get(t) != n}
    return {"database": database, "backup_schema_version": manifest["schema_version"],
            "schema_version_after_dump": before, "schema_version": migrated["version"],
            "migrations_applied": migrated["applied"], "row_counts": counts, "mismatched": mismatched,
            "chroma_restored": bool(manifest.get("chroma") and chroma_path)}


def _check_target(database: str, chroma_path, manifest: dict, force: bool, url: str | None) -> None:
    if force:
        return
    with connect(database="", url=url) as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", (database,))
        if cur.fetchone()[0]:
            raise FailedPrecondition(f"復元先のデータベース {database} は空ではありません。別のデータベース名を指定するか、"
                                     "上書きしてよければ --force（make restore FORCE=1）を指定してください")
    if manifest.get("chroma") and chroma_path and Path(chroma_path).exists() and any(Path(chroma_path).iterdir()):
        raise FailedPrecondition(f"復元先の Chroma フォルダ {chroma_path} は空ではありません。"
                                 "別のフォルダを指定するか --force を指定してください")
