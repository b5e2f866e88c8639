#!/usr/bin/env bash
# Generates, from protos/, the Python code (gen/) and Envoy's descriptor set (deploy/gen/aimee.pb).
# One command, one source of truth: `make gen`. Uses the googleapis protos shipped in the
# googleapis-common-protos wheel (site-packages is their include root) so nothing is fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
SITE=$("$PY" -c 'import google.api, os; print(os.path.dirname(os.path.dirname(list(google.api.__path__)[0])))')
rm -rf gen deploy/gen
mkdir -p gen deploy/gen
mapfile -t PROTOS < <(find protos -name '*.proto' | sort)
"$PY" -m grpc_tools.protoc -I protos -I "$SITE" \
  --python_out=gen --pyi_out=gen --grpc_python_out=gen "${PROTOS[@]}"
# Package markers so `from aimee.solver.v1 import solver_pb2` works with gen/ on sys.path.
find gen/aimee -type d -exec touch {}/__init__.py \;
"$PY" -m grpc_tools.protoc -I protos -I "$SITE" --include_imports --include_source_info \
  --descriptor_set_out=deploy/gen/aimee.pb "${PROTOS[@]}" google/rpc/error_details.proto
echo "generated gen/ and deploy/gen/aimee.pb from ${#PROTOS[@]} protos"
