"""Which file answers a path, and with which headers: no HTTP here, so it is tested on its own.

Rules: a path naming a file under dist is that file; anything else without a file extension is the
single-page app's index.html (client-side routes such as /alerts reload correctly); a missing build is
a Japanese page that tells the operator what to run. Hashed assets (Vite puts them under assets/) are
cached for a year; index.html never, so a new build is seen at once.
"""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

MISSING_BUILD_HTML = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>AIMEE 管理コンソール</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.7">
<h1>管理コンソールはまだビルドされていません</h1>
<p>リポジトリのフォルダで <code>make demo</code> を実行してください（web/ をビルドし、メッシュを起動します）。
ビルド済みなら <code>make up</code> で配信されます。</p>
<p>API は引き続き <code>/api/v1</code>、<code>/ws</code>、<code>/health</code> で利用できます。</p>
</body></html>
"""

_TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
          ".json": "application/json", ".svg": "image/svg+xml", ".map": "application/json"}


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _html(status: int, text: str) -> Reply:
    return Reply(status, text.encode("utf-8"),
                 {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"})


def resolve(dist: Path, raw_path: str) -> Reply:
    """The reply for GET raw_path (query string allowed) from the build in dist."""
    index = dist / "index.html"
    if not index.is_file():
        return _html(503, MISSING_BUILD_HTML)
    path = unquote(raw_path.split("?", 1)[0].split("#", 1)[0])
    root = dist.resolve()
    candidate = (root / path.lstrip("/")).resolve()
    if root != candidate and root not in candidate.parents:
        return _html(404, "<p>ファイルが見つかりません</p>")
    if candidate.is_file():
        return _file(candidate, immutable=candidate.parent.name == "assets")
    if Path(path).suffix:  # a missing asset is a real 404, not the app
        return _html(404, f"<p>ファイルが見つかりません: {path}</p>")
    return _file(index.resolve(), immutable=False)


def _file(path: Path, immutable: bool) -> Reply:
    ctype = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
    return Reply(200, path.read_bytes(), {"Content-Type": ctype, "Cache-Control": cache})
