"""Benchmark serving a landlord from its published datastore (docs/publishing.md, "Serving").

- **Cold init**: a fresh Python process imports ``chat_handler``, builds its services with
  the layer's datastore holding the community knowledge only, fetches the landlord's live
  datastore from S3 (moto's server on loopback) into a temporary folder and opens it (the
  chat's ``warm``), and serves one health request; the time from process start to that
  response is reported (median of ``--cold-runs`` processes), beside the same processes
  without publishing (interleaved), which shows what the fetch adds. From the venv, or from a built
  layer with ``--layer build/layer/x86_64 --python python3.12`` (the layer's datastore is
  then the one it ships).
- **Search**: warm, in this process, the p50 and p95 of one search over the landlord's live
  datastore (community + landlord chunks, query embedding included), over the project's
  benchmark questions.

The pointer is read from the in-memory repository (the knowledge table's ``GetItem`` is not
in the figure); the datastore's download is a real S3 ``GetObject``. With ``--llm`` the
landlords' LLM clients are built at init as when a key is configured (the example landlord's
``openai`` model, a dummy key: no call is made at init), else answers are extractive
(``PIERRE_LLM=off``, as on ``make dev`` without a key).

    .venv/bin/python infra/bench_serving.py [--community knowledge] [--cold-runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "infra"), str(REPO / "functions" / "chat")]

LANDLORD = "pierre-habitat.fr"
VERSION = "0123456789abcdef"
BUCKET = "bench-knowledge"
QUESTIONS = sorted((REPO / "tests" / "bench").glob("questions.project.*.jsonl"))

COLD_PROBE = """
import time
started = time.perf_counter()
import os
from pathlib import Path

from pierre_rag.cold_start import collector_paused

with collector_paused():  # as chat_handler's init: its import and its services
    import boto3

    import chat_handler
    import chat_wiring
    from pierre_rag.publishing.memory import MemoryPublishing
    from pierre_rag.publishing.models import Pointer
    from pierre_rag.publishing.serving import ServingStores
    from pierre_rag.settings import Settings, read_secret

    from pierre_rag.publishing.s3 import S3Artifacts

    landlord, version = os.environ["BENCH_LANDLORD"], os.environ["BENCH_VERSION"]
    pointers = MemoryPublishing()
    pointer = Pointer(
        landlord=landlord,
        version=version,
        object_key=os.environ["BENCH_KEY"],
        published_ms=0,
        published_by="bench",
    )
    pointers.move_pointer(pointer, None)
    artifacts = S3Artifacts(boto3.client("s3"), os.environ["BENCH_BUCKET"])
    fetch = os.environ["BENCH_FETCH"] == "1"
    stores = ServingStores(pointers, artifacts, Path(os.environ["BENCH_FOLDER"])) if fetch else None
    settings = Settings.from_env()
    built = chat_wiring.build_services(
        settings, read_secret, boto3.client("dynamodb"), chat_wiring.landlords(), stores
    )
served = built.knowledge.status(landlord).version
assert served == (version if fetch else "layer"), built.knowledge.status(landlord)
from tests.helpers import FakeLambdaContext, load_event
with chat_wiring.services.override(lambda: built):
    response = chat_handler.handler(load_event("chat_health"), FakeLambdaContext())
assert response["statusCode"] == 200, response
print(f"{(time.perf_counter() - started) * 1000:.1f}")
"""


def fetch_timings(layer: Path, folder: Path, runs: int) -> list[float]:
    """A landlord's first request in a warm process: pointer, S3 download, open (ms)."""
    import boto3

    from pierre_rag.knowledge.search import KnowledgeBase
    from pierre_rag.publishing.memory import MemoryPublishing
    from pierre_rag.publishing.models import Pointer, datastore_key
    from pierre_rag.publishing.s3 import S3Artifacts
    from pierre_rag.publishing.serving import LandlordKnowledge

    repository = MemoryPublishing()
    key = datastore_key(LANDLORD, VERSION)
    repository.move_pointer(
        Pointer(
            landlord=LANDLORD, version=VERSION, object_key=key, published_ms=0, published_by="b"
        ),
        None,
    )
    base = KnowledgeBase.open(layer)
    artifacts = S3Artifacts(boto3.client("s3"), BUCKET)
    timings = []
    for run in range(runs):
        served = LandlordKnowledge(base, repository, artifacts, folder / f"fetch-{run}")
        started = time.perf_counter()
        served.for_landlord(LANDLORD)
        timings.append((time.perf_counter() - started) * 1000)
        assert served.status(LANDLORD).version == VERSION, served.status(LANDLORD)
    return timings


def build_datastores(community: Path, folder: Path) -> tuple[Path, Path]:
    """The layer's datastore (``community`` alone) and the landlord's (``community`` + the
    landlord's folder of knowledge/), through the developer's embedding cache."""
    from pierre_rag.knowledge.build import build_datastore
    from pierre_rag.knowledge.cache import EmbeddingCache, default_cache_dir
    from pierre_rag.knowledge.embeddings import embedder_from_env

    embedder = embedder_from_env()
    cache = EmbeddingCache(default_cache_dir() / "embeddings.sqlite")
    sources = folder / "sources"
    shutil.copytree(community, sources, ignore=shutil.ignore_patterns(LANDLORD))
    shutil.copytree(REPO / "knowledge" / LANDLORD, sources / LANDLORD)
    layer, landlord = folder / "layer.sqlite", folder / "landlord.sqlite"
    try:
        build_datastore([community], layer, embedder, cache=cache, community_only=True)
        build_datastore([sources], landlord, embedder, cache=cache)
    finally:
        cache.close()
    return layer, landlord


def cold_init(
    runs: int, env: dict[str, str], python: str, layer: Path | None
) -> tuple[list[float], list[float]]:
    """Cold inits with the landlord's datastore fetched, and without (publishing not
    deployed: the layer's knowledge for every landlord), interleaved."""
    paths = [str(REPO / "functions" / "chat"), str(REPO), str(REPO / "infra")]
    if layer is not None:
        paths = [str(layer / "python"), *paths]
        env = {
            **env,
            "PIERRE_DATASTORE": str(layer / "datastore.sqlite"),
            "PIERRE_LANDLORDS_DIR": str(layer / "landlords"),
            "PIERRE_MODELS_DIR": str(layer / "models"),
        }
    child_env = {
        **os.environ,
        **env,
        "PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PIERRE_RUNTIME_PATH", "")]),
    }
    child_env.pop("AWS_LAMBDA_FUNCTION_NAME", None)  # the probe builds the services itself
    timings: dict[str, list[float]] = {"1": [], "0": []}
    for _ in range(runs):
        for fetch, found in timings.items():
            shutil.rmtree(env["BENCH_FOLDER"], ignore_errors=True)  # a new container's /tmp
            output = subprocess.run(
                [python, "-c", COLD_PROBE],
                env={**child_env, "BENCH_FETCH": fetch},
                capture_output=True,
                text=True,
                check=False,
            )
            if output.returncode != 0:
                raise RuntimeError(f"the cold-init probe failed:\n{output.stderr[-2000:]}")
            found.append(float(output.stdout.strip().splitlines()[-1]))
    return timings["1"], timings["0"]


def search_timings(layer: Path, landlord: Path, folder: Path) -> list[float]:
    """One search per question over the landlord's live datastore, in milliseconds."""
    from pierre_rag.knowledge.models import AccessLevel
    from pierre_rag.knowledge.search import KnowledgeBase
    from pierre_rag.publishing.memory import MemoryArtifacts, MemoryPublishing
    from pierre_rag.publishing.models import Pointer, datastore_key
    from pierre_rag.publishing.serving import LandlordKnowledge

    repository, artifacts = MemoryPublishing(), MemoryArtifacts()
    key = datastore_key(LANDLORD, VERSION)
    artifacts.upload_datastore(key, landlord)
    repository.move_pointer(
        Pointer(
            landlord=LANDLORD, version=VERSION, object_key=key, published_ms=0, published_by="b"
        ),
        None,
    )
    base = KnowledgeBase.open(layer)
    served = LandlordKnowledge(base, repository, artifacts, folder / "served")
    questions = [
        json.loads(line)["question"]
        for path in QUESTIONS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    access = (AccessLevel.COMMUNITY, AccessLevel.PUBLIC)
    for question in questions[:3]:  # warm-up: the model's first calls
        served.for_landlord(LANDLORD).search(question, k=6, landlord=LANDLORD, access=access)
    timings = []
    for question in questions:
        started = time.perf_counter()
        knowledge = served.for_landlord(LANDLORD)
        knowledge.search(question, k=6, landlord=LANDLORD, access=access)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def start_s3(landlord: Path) -> tuple[Any, dict[str, str]]:
    """moto's server in its own process, the landlord's datastore uploaded to a bucket."""
    import boto3

    from pierre_local.resources import fixed_secrets, put_secrets
    from pierre_local.stack import free_port
    from pierre_local.template import REGION

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGION,
        "PIERRE_LLM": "off",
        "OPENBLAS_NUM_THREADS": "1",
    }
    os.environ.update(env)
    deadline = time.monotonic() + 20
    while True:
        try:
            s3 = boto3.client("s3")
            s3.create_bucket(
                Bucket=BUCKET,
                CreateBucketConfiguration={"LocationConstraint": REGION},  # type: ignore[typeddict-item]
            )
            break
        except Exception:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.2)
    s3.upload_file(str(landlord), BUCKET, f"datastores/{LANDLORD}/{VERSION}.sqlite")
    # The secrets a deployed stack has, the origin secret among them: without it, init would
    # measure its "parameter not found" path (15-40 ms of error parsing).
    put_secrets(boto3.client("ssm"), "/pierre", fixed_secrets("bench"))
    return server, env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--community",
        type=Path,
        default=REPO / "knowledge",
        help="the community knowledge folder (its landlord folders are left out)",
    )
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--layer", type=Path, help="measure cold init on a built layer")
    parser.add_argument("--python", default=sys.executable, help="interpreter for cold init")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--llm", action="store_true", help="build the landlords' LLM clients at init (dummy key)"
    )
    args = parser.parse_args(argv)
    from pierre_rag.evaluation.measures import percentile

    with tempfile.TemporaryDirectory(prefix="bench-serving-") as tmp:
        folder = Path(tmp)
        layer, landlord = build_datastores(args.community, folder)
        server, env = start_s3(landlord)
        try:
            env |= {
                "PIERRE_DATASTORE": str(layer),
                "PIERRE_LANDLORDS_DIR": str(REPO / "knowledge"),
                "BENCH_LANDLORD": LANDLORD,
                "BENCH_VERSION": VERSION,
                "BENCH_KEY": f"datastores/{LANDLORD}/{VERSION}.sqlite",
                "BENCH_BUCKET": BUCKET,
                "BENCH_FOLDER": str(folder / "cold"),
            }
            if args.llm:
                env |= {"PIERRE_LLM": "", "OPENAI_API_KEY": "sk-bench-not-used"}
            cold, without = cold_init(args.cold_runs, env, args.python, args.layer)
            fetches = fetch_timings(layer, folder, args.cold_runs)
        finally:
            server.terminate()
            server.wait(timeout=10)
        searches = search_timings(layer, landlord, folder)
        size_mb = landlord.stat().st_size / 1024 / 1024
    report: dict[str, Any] = {
        "source": f"layer {args.layer}" if args.layer else "repository (venv)",
        "llm": "clients built at init" if args.llm else "off (extractive)",
        "landlord_datastore_mb": round(size_mb, 2),
        "cold_init_ms": {
            "median": round(statistics.median(cold), 1),
            "runs": [round(c) for c in cold],
        },
        "cold_init_without_fetch_ms": {
            "median": round(statistics.median(without), 1),
            "runs": [round(c) for c in without],
        },
        "landlord_fetch_ms": {
            "median": round(statistics.median(fetches), 1),
            "runs": [round(f) for f in fetches],
        },
        "search_ms": {
            "p50": round(percentile(searches, 0.5), 1),
            "p95": round(percentile(searches, 0.95), 1),
            "questions": len(searches),
        },
    }
    if args.json:
        print(json.dumps(report))
        return 0
    cold_ms, search_ms = report["cold_init_ms"], report["search_ms"]
    print(
        f"chat cold init from the {report['source']}, LLM {report['llm']} (imports + services "
        f"+ the landlord's {report['landlord_datastore_mb']} MB datastore fetched from S3 + "
        "first request): "
        f"median {cold_ms['median']} ms over {len(cold)} processes {cold_ms['runs']}"
    )
    without_ms = report["cold_init_without_fetch_ms"]
    print(
        f"the same without publishing (the layer's knowledge for every landlord): "
        f"median {without_ms['median']} ms {without_ms['runs']}"
    )
    fetch_ms = report["landlord_fetch_ms"]
    print(
        f"of which the landlord's first request in a warm process (pointer, S3 download, open): "
        f"median {fetch_ms['median']} ms {fetch_ms['runs']}"
    )
    print(
        f"search over community + landlord: p50 {search_ms['p50']} ms, "
        f"p95 {search_ms['p95']} ms over {search_ms['questions']} questions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
