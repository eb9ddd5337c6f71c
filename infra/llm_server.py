"""llama-cpp-python's OpenAI-compatible server on a port the OS chose (for ``make test-llm``).

    .venv-llm/bin/python infra/llm_server.py --model build/llm/gemma-3-270m-q4_k_m.gguf

Runs in the LLM venv (llama-cpp-python is never a dependency of the project or its layer).
The socket is bound here, to port 0, before the server starts, and the server is handed that
socket: no port is picked, freed and bound again, so two runs never race for one. The first
line printed is ``PORT <number>``; the server then serves until it is terminated.
"""

from __future__ import annotations

import argparse
import socket
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="the GGUF file to serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--n-ctx", type=int, default=4096, help="context window, in tokens")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    app = create_app(
        server_settings=ServerSettings(host=args.host, port=0),
        model_settings=[
            ModelSettings(
                model=args.model,
                n_ctx=args.n_ctx,
                n_threads=args.threads,
                n_threads_batch=args.threads,
                verbose=False,
            )
        ],
    )
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, 0))
    listener.listen(64)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listener])
    return 0


if __name__ == "__main__":
    sys.exit(main())
