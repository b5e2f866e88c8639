"""Chunked uploads for the REST door: a file bigger than one request body arrives as numbered pieces.

Why: Envoy refuses large bodies (413), but a clerk's browser can still send a 100 MB attendance file in
~700 KiB pieces. Each piece names its upload (`upload_id`, client-chosen hex) and the byte offset it
starts at, so a lost or repeated piece is a clear 409 instead of a silently corrupt file; the last piece
(`final`) hands the assembled file to the importer and removes it. Pieces live under UPLOAD_DIR; an
upload left unfinished is removed after UPLOAD_TTL_SECONDS by the next upload.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

from services.common.errors import Conflict, InvalidArgument

UPLOAD_ID = re.compile(r"^[0-9a-f]{16,64}$")
UPLOAD_TTL_SECONDS = 6 * 3600


class UploadStore:
    def __init__(self, directory: str | Path, max_bytes: int):
        self.directory = Path(directory)
        self.max_bytes = max_bytes

    def _path(self, upload_id: str) -> Path:
        if not UPLOAD_ID.match(upload_id or ""):
            raise InvalidArgument("upload_id は16〜64桁の16進数（小文字）で指定してください")
        return self.directory / f"{upload_id}.part"

    def append(self, upload_id: str, offset: int, data: bytes) -> int:
        """Add one piece at `offset`; returns the bytes received so far."""
        path = self._path(upload_id)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._expire()
        have = path.stat().st_size if path.exists() else 0
        if offset != have:
            raise Conflict(f"分割アップロードの位置が合いません（受信済み {have:,} バイト、送信 {offset:,} バイト目から）。"
                           f"{have:,} バイト目から送り直してください")
        if have + len(data) > self.max_bytes:
            path.unlink(missing_ok=True)
            raise InvalidArgument(f"ファイルが大きすぎます（上限 {self.max_bytes:,} バイト）。CLI（make import）で取り込んでください")
        with open(path, "ab") as fh:
            fh.write(data)
        return have + len(data)

    def open(self, upload_id: str):
        return open(self._path(upload_id), "rb")

    def discard(self, upload_id: str) -> None:
        self._path(upload_id).unlink(missing_ok=True)

    def _expire(self) -> None:
        cutoff = time.time() - UPLOAD_TTL_SECONDS
        for part in self.directory.glob("*.part"):
            try:
                if part.stat().st_mtime < cutoff:
                    os.unlink(part)
            except OSError:
                pass
