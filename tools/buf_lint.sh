#!/usr/bin/env bash
# Lints protos/ with buf (STANDARD). The googleapis imports are copied from the installed wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
SITE=$("$PY" -c 'import google.api, os; print(os.path.dirname(os.path.dirname(list(google.api.__path__)[0])))')
mkdir -p build/buf-deps/google/api
cp "$SITE/google/api/annotations.proto" "$SITE/google/api/http.proto" "$SITE/google/api/httpbody.proto" build/buf-deps/google/api/
[ -x node_modules/.bin/buf ] || npm install --silent --no-audit --no-fund >/dev/null
node_modules/.bin/buf lint
echo "buf lint: clean"
