"""Bring your own data: import (CSV/.xlsx → tables), export (tables → CSV/.xlsx), backup and restore.

Plain domain package (no grpc): the CLI (`python -m services.dataio`) and the gateway's imports servicer
are thin doors over `importer.run_import`, `export`, `backup`. Header mapping per kind: `kinds.py`,
documented in docs/imports.md.
"""
