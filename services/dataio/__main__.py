"""The CLI door: `python -m services.dataio {import,export,backup,restore,samples} ...` (make import / backup / ...).

Thin on purpose: every rule lives in the importer / exporter / backup modules, which the REST door shares.
Exit codes: 0 done (or validated), 1 rejected rows (nothing written), 2 a bad file or bad arguments.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from services.common.errors import AimeeError
from services.dataio.config import Settings

MAX_PRINTED_BAD_ROWS = 30


def _database(args, settings: Settings) -> str:
    from db.connect import parse_database_url
    return args.database or parse_database_url(settings.database_url)["database"] or "aimee_db"


def _url_for(settings: Settings, database: str) -> str:
    from services.common.db import with_database
    return with_database(settings.database_url, database)


def _print_report(report: dict) -> None:
    print(report["message"])
    keys = ("rows", "inserted", "updated", "unchanged", "deleted", "bad_row_count")
    print("  " + "  ".join(f"{k}={report.get(k, 0)}" for k in keys) +
          (f"  encoding={report['encoding']}" if report.get("encoding") else "") +
          (f"  {report['rows_per_second']:,d} rows/s" if report.get("rows_per_second") else ""))
    for bad in report.get("bad_rows", [])[:MAX_PRINTED_BAD_ROWS]:
        print(f"  {bad['message']}")
    if report.get("bad_row_count", 0) > MAX_PRINTED_BAD_ROWS:
        print(f"  …ほか {report['bad_row_count'] - MAX_PRINTED_BAD_ROWS} 行")
    for label, codes in (report.get("unknown_codes") or {}).items():
        print(f"  未登録の{label}: {', '.join(codes)}")
    for message in report.get("messages", []):
        print(f"  {message}")
    if report.get("import_id"):
        print(f"  import_id={report['import_id']}")


def cmd_import(args, settings: Settings) -> int:
    from services.dataio.aftercare import after_import
    from services.dataio.importer import ImportOptions, run_import
    from services.dataio.kinds import KNOWHOW

    database = _database(args, settings)
    path = Path(args.file)
    if args.kind == KNOWHOW:
        return asyncio.run(_import_knowhow(path, args, settings, database))
    if not path.is_file():
        print(f"ファイル {path} が見つかりません", file=sys.stderr)
        return 2
    with open(path, "rb") as fh:
        report = run_import(database, fh, ImportOptions(kind=args.kind, dry_run=args.dry_run,
                                                        skip_bad_rows=args.skip_bad_rows, replace=args.replace,
                                                        file_name=path.name), url=settings.database_url)
    _print_report(report)
    if report["changes"] is not None and not args.no_aftercare:
        done = asyncio.run(after_import(report["changes"], _url_for(settings, database), settings.redis_url,
                                        settings.cache_prefix))
        print(f"  キャッシュ無効化 {len(done['invalidated'])} 件、アラート検出 新規 {done['alerts_created']} 件"
              + (f"（{done['detected_from']}〜{done['detected_to']}）" if done.get("detected_from") else ""))
    return 1 if report["status"] == "rejected" else 0


async def _import_knowhow(path: Path, args, settings: Settings, database: str) -> int:
    """Embedded Chroma is single-process: like migrate-knowledge, run with the knowledge engine stopped."""
    import dataclasses

    from services.dataio.knowhow import ALLOWED_SUFFIXES, import_documents
    from services.knowledge.config import Settings as KnowledgeSettings
    from services.knowledge.runtime import open_runtime

    files = sorted(p for p in path.iterdir() if p.suffix.lower() in ALLOWED_SUFFIXES) if path.is_dir() else [path]
    payload = [(p.name, p.read_bytes()) for p in files]
    runtime = None

    async def add(doc):
        nonlocal runtime
        if runtime is None:
            ks = dataclasses.replace(KnowledgeSettings.from_env(), database_url=_url_for(settings, database))
            runtime = await open_runtime(ks)
        result = await runtime.service.add_document(doc.title, doc.text, doc.category, doc.location, doc.source)
        return "unchanged" if result.unchanged else "replaced" if result.replaced else "added"

    try:
        report = await import_documents(payload, add, dry_run=args.dry_run)
    finally:
        if runtime is not None:
            await runtime.close()
    if not args.dry_run:
        from services.common import cache_names
        from services.common.cache import Cache
        cache = Cache(settings.redis_url, prefix=settings.cache_prefix)
        try:
            await cache.invalidate_quietly(cache_names.KNOWLEDGE)  # a cold cache is harmless
        finally:
            await cache.close()
    print(report["message"])
    for doc in report["documents"]:
        print(f"  {doc['source']}  {doc['title']}  {doc['category']}  {doc.get('status', '')}")
    return 0


def cmd_export(args, settings: Settings) -> int:
    from services.common.db import create_pool
    from services.dataio.export import export_bytes

    database = _database(args, settings)

    async def run():
        pool = await create_pool(_url_for(settings, database), minsize=1, maxsize=2)
        try:
            return await export_bytes(args.dataset, args.format, pool, location=args.location or "",
                                      date_from=args.date_from or "", date_to=args.date_to or "",
                                      status=args.status or "")
        finally:
            pool.close()
            await pool.wait_closed()

    content, _media, name = asyncio.run(run())
    out = Path(args.out or name)
    out.write_bytes(content)
    print(f"{out} ({len(content):,d} bytes)")
    return 0


def cmd_backup(args, settings: Settings) -> int:
    from services.dataio.backup import backup, read_manifest

    archive = backup(_database(args, settings), args.out or settings.backup_dir, args.chroma_path or settings.chroma_path,
                     url=settings.database_url)
    manifest = read_manifest(archive)
    print(f"{archive}  schema version {manifest['schema_version']}, {sum(manifest['row_counts'].values()):,d} rows "
          f"in {len(manifest['row_counts'])} tables, chroma={'yes' if manifest['chroma'] else 'no'}")
    return 0


def cmd_restore(args, settings: Settings) -> int:
    from services.dataio.backup import restore

    report = restore(args.file, _database(args, settings), args.chroma_path or settings.chroma_path,
                     url=settings.database_url, force=args.force)
    print(f"restored into {report['database']}: schema version {report['backup_schema_version']} -> "
          f"{report['schema_version']} (migrations applied: {report['migrations_applied'] or 'none'}), "
          f"{sum(report['row_counts'].values()):,d} rows, chroma={'yes' if report['chroma_restored'] else 'no'}")
    if report["mismatched"]:
        print(f"row counts differ from the manifest: {report['mismatched']}", file=sys.stderr)
        return 1
    return 0


def cmd_samples(args, settings: Settings) -> int:
    from services.dataio.samples import main as samples_main
    return samples_main(["--out", args.out or "var/samples"])


def parser() -> argparse.ArgumentParser:
    from services.dataio.kinds import ALL_KINDS
    from services.dataio.export import DATASETS

    p = argparse.ArgumentParser(prog="python -m services.dataio", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="import a CSV/.xlsx file (or know-how .txt/.md files)")
    imp.add_argument("--kind", required=True, choices=ALL_KINDS)
    imp.add_argument("--file", required=True, help="the file (knowhow: a file or a folder)")
    imp.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    imp.add_argument("--skip-bad-rows", action="store_true", help="import the valid rows, report the rest")
    imp.add_argument("--replace", action="store_true",
                     help="full replace of the file's period at its sites (deletes rows the file does not list)")
    imp.add_argument("--no-aftercare", action="store_true", help="skip cache invalidation and alert detection")
    exp = sub.add_parser("export", help="export assignments / alerts / productivity / rosters as csv or xlsx")
    exp.add_argument("--dataset", required=True, choices=DATASETS)
    exp.add_argument("--format", default="xlsx", choices=("csv", "xlsx"))
    exp.add_argument("--location", default="")
    exp.add_argument("--date-from", default="")
    exp.add_argument("--date-to", default="")
    exp.add_argument("--status", default="")
    exp.add_argument("--out", default="")
    bak = sub.add_parser("backup", help="dump + Chroma + manifest into one .tar.gz")
    bak.add_argument("--out", default="")
    bak.add_argument("--chroma-path", default="")
    res = sub.add_parser("restore", help="restore a backup archive into a (new) database")
    res.add_argument("file")
    res.add_argument("--chroma-path", default="")
    res.add_argument("--force", action="store_true", help="overwrite a non-empty database / Chroma folder")
    sam = sub.add_parser("samples", help="write the sample files (var/samples)")
    sam.add_argument("--out", default="")
    for sp in (imp, exp, bak, res):
        sp.add_argument("--database", default="", help="database name (default: the one in DATABASE_URL)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    handler = {"import": cmd_import, "export": cmd_export, "backup": cmd_backup, "restore": cmd_restore,
               "samples": cmd_samples}[args.command]
    try:
        return handler(args, settings)
    except AimeeError as exc:
        print(f"エラー: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
