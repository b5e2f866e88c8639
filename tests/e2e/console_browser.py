"""Real Chromium for the console's browser tests and bench: Debian's /usr/bin/chromium driven by
Playwright (its own browser download cannot work here), and the console build it needs."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("AIMEE_CHROMIUM", "/usr/bin/chromium")
DIST_INDEX = REPO / "web" / "dist" / "index.html"


def ensure_chromium() -> str:
    """Installs Chromium through the project's script when missing (the setup step CI also runs)."""
    if not os.access(CHROMIUM, os.X_OK):
        subprocess.run([str(REPO / "tools" / "ensure_chromium.sh")], check=True, timeout=900)
    return CHROMIUM


def ensure_console_build() -> Path:
    """web/dist as `make test` built it (`make web`); built here with npm only when absent, so a bare
    pytest run works without make's setup chain touching the virtualenv."""
    if not DIST_INDEX.is_file():
        web = REPO / "web"
        if not (web / "node_modules" / ".installed").is_file():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=str(web), check=True, timeout=900)
            (web / "node_modules" / ".installed").touch()
        subprocess.run(["npm", "run", "build"], cwd=str(web), check=True, timeout=900)
    assert DIST_INDEX.is_file(), "web/dist/index.html missing after the build"
    return DIST_INDEX.parent


def launch(playwright):
    return playwright.chromium.launch(executable_path=ensure_chromium(),
                                      args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])


FIRST_VIEW_METRICS_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = Object.fromEntries(performance.getEntriesByType('paint').map(p => [p.name, p.startTime]));
  const mark = performance.getEntriesByName('aimee:first-view')[0];
  const scripts = performance.getEntriesByType('resource')
    .filter(r => r.initiatorType === 'script' || r.name.endsWith('.js'));
  return {
    fcp_ms: paint['first-contentful-paint'] ?? null,
    first_view_ms: mark ? mark.startTime : null,
    dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null,
    js_transfer_bytes: scripts.reduce((a, r) => a + (r.encodedBodySize || 0), 0),
    js_decoded_bytes: scripts.reduce((a, r) => a + (r.decodedBodySize || 0), 0),
    scripts: scripts.map(r => r.name.split('/').pop()),
  };
}"""
