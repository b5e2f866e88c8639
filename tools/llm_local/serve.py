"""Serve a GGUF model with xllamacpp's embedded llama.cpp server (OpenAI-compatible) until SIGINT/SIGTERM.

xllamacpp starts the HTTP server in a background thread of this process, so this process must stay alive;
it waits for /health, prints the environment that points AIMEE at the server, then sleeps.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import urllib.request

import xllamacpp as xlc


def wait_healthy(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"model server at {url} not healthy after {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--ctx", type=int, default=8192, help="context tokens, shared by the parallel slots")
    parser.add_argument("--parallel", type=int, default=2, help="concurrent request slots (intent + synthesis)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    params = xlc.CommonParams()
    params.model.path = args.model
    params.model_alias = {args.alias}  # a set of names
    params.hostnames = [args.host]
    params.port = args.port
    params.n_ctx = args.ctx
    params.n_parallel = args.parallel
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    started = time.monotonic()
    server = xlc.Server(params)  # runs the HTTP server on its own thread while this object lives
    url = f"http://{args.host}:{args.port}"
    wait_healthy(url, 120)
    print(f"\nmodel server ready in {time.monotonic() - started:.1f} s: {url} (OpenAI-compatible, model {args.alias})")
    print("Use it from AIMEE with:\n")
    for role, model_env in (("LIGHT", "INTENT_MODEL"), ("MAIN", "MAIN_MODEL")):
        print(f"  export OLLAMA_{role}_HOST={args.host} OLLAMA_{role}_PORT={args.port} {model_env}={args.alias}")
    print("  export LLM_PROVIDER=openai\n\nCtrl-C stops it.", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    del server  # stops the server's loop and frees the model before the process exits


if __name__ == "__main__":
    main()
