"""AIMEE database package: schema apply, deterministic sample/scale data, bulk loader.

Entry points:
  python -m db.apply [--database NAME]          apply pending db/migrations (idempotent)
  python -m db.migrate [--database NAME] [--status]  the same, or list each migration's state
  python -m db.load  [--database NAME] ...      create + apply + wipe + load generated data
  db.load.load_sample(database, seed, end_date) the same from Python (tests, launcher)
"""
