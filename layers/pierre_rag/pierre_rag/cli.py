"""The ``pierre`` command line: build and search the knowledge datastore, run evaluations.

pierre knowledge build --source knowledge --out build/datastore.sqlite
pierre knowledge search "combien de temps de préavis ?" --k 5 --landlord pierre-habitat.fr
pierre knowledge convert horaires.docx [--out DIR] [--rows-as-sections]
pierre eval retrieval --knowledge DIR --questions questions.jsonl --format json [--rewrites FILE]
pierre eval record-rewrites --questions questions.jsonl --out rewrites.jsonl [--landlord ID]
pierre eval answers [--knowledge DIR] [--questions questions.jsonl] [--details]
pierre landlords check --dir knowledge
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from pierre_rag.knowledge.errors import KnowledgeError
from pierre_rag.knowledge.models import AccessLevel

# The shared benchmark beside the repository (docs/retrieval.md), run from its root.
BENCH_KNOWLEDGE = Path("../shared/corpus/pierre-knowledge")
BENCH_QUESTIONS = Path("../shared/bench/questions.dev.jsonl")


def _access_list(value: str) -> list[AccessLevel]:
    try:
        return [AccessLevel(part.strip()) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        choices = ", ".join(a.value for a in AccessLevel)
        raise argparse.ArgumentTypeError(f"access levels are a comma list of: {choices}") from exc


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return number


def _parser() -> argparse.ArgumentParser:
    from pierre_rag.knowledge.cache import default_cache_dir

    parser = argparse.ArgumentParser(
        prog="pierre", description=__doc__.splitlines()[0] if __doc__ else None
    )
    groups = parser.add_subparsers(dest="group", required=True)

    knowledge = groups.add_parser("knowledge", help="build or search the knowledge datastore")
    commands = knowledge.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="markdown folders → datastore.sqlite")
    build.add_argument(
        "--source", type=Path, action="append", required=True, help="knowledge folder (repeatable)"
    )
    build.add_argument("--out", type=Path, required=True, help="datastore file to write")
    build.add_argument(
        "--cache",
        type=Path,
        default=default_cache_dir() / "embeddings.sqlite",
        help="embedding cache file (default: %(default)s)",
    )
    build.add_argument("--no-cache", action="store_true", help="embed every chunk again")
    build.add_argument(
        "--community-only",
        action="store_true",
        help="leave out the landlord folders (the Lambda layer's datastore: landlords' "
        "knowledge is published per landlord, docs/publishing.md)",
    )
    build.add_argument("--quiet", action="store_true", help="no progress bar")

    search = commands.add_parser("search", help="hybrid search in a datastore")
    search.add_argument("query")
    search.add_argument("--k", type=_positive, default=5)
    search.add_argument(
        "--datastore", type=Path, default=None, help="default: Settings.datastore_path"
    )
    search.add_argument(
        "--landlord",
        "--tenant",  # compat: old name
        default=None,
        help="landlord domain, e.g. pierre-habitat.fr",
    )
    search.add_argument(
        "--access",
        type=_access_list,
        default=[AccessLevel.COMMUNITY, AccessLevel.PUBLIC],
        help="comma list of access levels (default: community,public)",
    )
    search.add_argument("--format", choices=["text", "json"], default="text")

    convert = commands.add_parser(
        "convert",
        help="a .md, .docx, .xlsx or .pdf file → knowledge markdown and chunks; exit 2 if refused",
    )
    convert.add_argument("file", type=Path)
    convert.add_argument(
        "--out", type=Path, default=None, help="folder to write <name>.md in (default: stdout)"
    )
    convert.add_argument(
        "--rows-as-sections", action="store_true", help="xlsx: one section per row, not a table"
    )

    landlords = groups.add_parser("landlords", help="check the landlord (landlord.yaml) files")
    landlord_commands = landlords.add_subparsers(dest="command", required=True)
    check = landlord_commands.add_parser(
        "check", help="print every problem with its file; exit 1 if there is one"
    )
    check.add_argument(
        "--dir", type=Path, default=None, help="landlords folder (default: Settings.landlords_dir)"
    )

    evaluation = groups.add_parser("eval", help="offline evaluations")
    evals = evaluation.add_subparsers(dest="command", required=True)
    retrieval = evals.add_parser("retrieval", help="retrieval benchmark (Recall@k, MRR, latency)")
    retrieval.add_argument(
        "--knowledge", type=Path, required=True, help="knowledge folder to index"
    )
    retrieval.add_argument("--questions", type=Path, required=True, help="benchmark .jsonl")
    retrieval.add_argument("--format", choices=["json", "text"], default="json")
    retrieval.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    retrieval.add_argument("--rebuild", action="store_true", help="ignore a cached datastore")
    retrieval.add_argument("--details", action="store_true", help="add per-question scores")
    retrieval.add_argument(
        "--rewrites",
        type=Path,
        default=None,
        help="recorded LLM rewrites (.jsonl): their rows are searched as with an LLM",
    )
    record = evals.add_parser(
        "record-rewrites",
        help="ask the configured LLM to understand each row; write the rewrites for --rewrites",
    )
    record.add_argument("--questions", type=Path, default=BENCH_QUESTIONS, help="benchmark .jsonl")
    record.add_argument("--out", type=Path, required=True, help="rewrites .jsonl to write")
    record.add_argument(
        "--landlords", type=Path, default=None, help="landlords folder (default: Settings)"
    )
    record.add_argument(
        "--landlord", default=None, help="whose llm configuration (default: the first)"
    )
    record.add_argument(
        "--model", default=None, help="an OpenAI-compatible model instead of a landlord's"
    )
    record.add_argument("--base-url", default=None, help="the endpoint of the model")
    answers = evals.add_parser(
        "answers", help="extractive answers: expected section quoted, length, language, refusals"
    )
    answers.add_argument("--knowledge", type=Path, default=BENCH_KNOWLEDGE, help="knowledge folder")
    answers.add_argument("--questions", type=Path, default=BENCH_QUESTIONS, help="benchmark .jsonl")
    answers.add_argument(
        "--landlords", type=Path, default=None, help="landlords folder (default: Settings)"
    )
    answers.add_argument("--landlord", default=None, help="landlord asked (default: the first)")
    answers.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    answers.add_argument("--rebuild", action="store_true", help="ignore a cached datastore")
    answers.add_argument("--details", action="store_true", help="add one line per row and channel")
    answers.add_argument(
        "--live-history",
        action="store_true",
        help="answer each row's earlier user turns with the pipeline instead of storing the "
        "recorded replies (a conversation as a tenant has it)",
    )
    return parser


def _progress_factory(stream: TextIO) -> Callable[[int, str], Callable[[int], None]]:
    from pierre_rag.knowledge.progress import ProgressBar

    def factory(total: int, label: str) -> Callable[[int], None]:
        bar = ProgressBar(total, label, stream)

        def tick(n: int) -> None:
            bar.advance(n)
            if bar.done >= bar.total:
                bar.close()

        return tick

    return factory


def _build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pierre_rag.knowledge.build import build_datastore
    from pierre_rag.knowledge.cache import EmbeddingCache
    from pierre_rag.knowledge.embeddings import embedder_from_env

    cache = None if args.no_cache else EmbeddingCache(args.cache)
    try:
        report = build_datastore(
            args.source,
            args.out,
            embedder_from_env(),
            cache=cache,
            progress=None if args.quiet else _progress_factory(err),
            community_only=args.community_only,
        )
    finally:
        if cache:
            cache.close()
    out.write(
        f"wrote {report.path}: {report.chunks} chunks ({report.embedded} embedded, "
        f"{report.chunks - report.embedded} from cache) in {report.seconds:.1f}s\n"
    )
    return 0


def _search(args: argparse.Namespace, out: TextIO) -> int:
    from pierre_rag.knowledge.search import KnowledgeBase
    from pierre_rag.settings import Settings

    path = args.datastore or Settings.from_env().datastore_path
    kb = KnowledgeBase.open(path)
    response = kb.search(args.query, k=args.k, landlord=args.landlord, access=args.access)
    if args.format == "json":
        out.write(response.model_dump_json(indent=2) + "\n")
        return 0
    out.write(f"top cosine {response.top_cosine:.3f}\n")
    for rank, result in enumerate(response.results, start=1):
        snippet = " ".join(result.text.split())[:200]
        out.write(
            f"{rank}. [{result.score:.4f}] {result.file} — {' > '.join(result.heading_path)}\n"
        )
        out.write(f"   {snippet}\n")
    return 0


def _convert(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pierre_rag.knowledge.chunking import chunk_markdown
    from pierre_rag.knowledge.sources import split_front_matter
    from pierre_rag.knowledge.uploads import UploadRefused, convert

    source: Path = args.file
    if not source.is_file():
        raise KnowledgeError(f"file not found: {source}")
    try:
        converted = convert(
            source.name, source.read_bytes(), rows_as_sections=args.rows_as_sections
        )
    except UploadRefused as exc:
        err.write(f"pierre: refusé : {exc.reason}\n")
        return 2
    for warning in converted.warnings:
        err.write(f"pierre: attention : {warning}\n")
    chunks = len(chunk_markdown(split_front_matter(converted.markdown, source.name)[1]))
    if args.out is None:
        out.write(converted.markdown)
        err.write(f"{chunks} chunks\n")
        return 0
    target = args.out / f"{source.stem}.md"
    if target.resolve() == source.resolve():
        raise KnowledgeError(f"{target} would overwrite the file converted")
    args.out.mkdir(parents=True, exist_ok=True)
    target.write_text(converted.markdown, encoding="utf-8")
    out.write(f"wrote {target}: {chunks} chunks\n")
    return 0


def _check_landlords(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pierre_rag.landlord_check import check_landlords
    from pierre_rag.settings import Settings

    directory = args.dir or Settings.from_env().landlords_dir
    if not directory.is_dir():
        err.write(f"pierre: error: landlords folder not found: {directory}\n")
        return 1
    check = check_landlords(directory)
    for deprecation in check.deprecations:
        err.write(f"pierre: warning: {deprecation}\n")
    for problem in check.problems:
        err.write(f"{problem}\n")
    if check.problems:
        err.write(
            f"pierre: {len(check.problems)} problem(s) in the landlord files of {directory}\n"
        )
        return 1
    ids = ", ".join(landlord.id for landlord in check.landlords) or "none"
    out.write(f"{len(check.landlords)} landlord(s) OK in {directory}: {ids}\n")
    return 0


def _eval_retrieval(args: argparse.Namespace, out: TextIO) -> int:
    from pierre_rag.evaluation.retrieval import ensure_datastore, load_questions, run_eval
    from pierre_rag.evaluation.rewrites import load_rewrites
    from pierre_rag.knowledge.embeddings import embedder_from_env
    from pierre_rag.knowledge.search import KnowledgeBase

    if not args.knowledge.is_dir():
        raise KnowledgeError(f"knowledge folder not found: {args.knowledge}")
    questions = load_questions(args.questions)
    rewrites = None
    if args.rewrites is not None:
        rewrites = load_rewrites(args.rewrites, {q.id for q in questions})
    embedder = embedder_from_env()
    path, build_s = ensure_datastore(args.knowledge, embedder, args.cache_dir, rebuild=args.rebuild)
    kb = KnowledgeBase.open(path, embedder)
    if rewrites is None:
        report = run_eval(kb, questions)
    else:
        understandings = {row: rewrite.understanding() for row, rewrite in rewrites.items()}
        report = run_eval(kb, questions, understandings)
        report["rewrites"]["file"] = str(args.rewrites)
        report["rewrites"]["models"] = sorted({r.model for r in rewrites.values()})
    details = report.pop("per_question")
    report["chunks"] = kb.datastore.chunk_count()
    report["build_s"] = round(build_s, 2)
    if args.details:
        report["per_question"] = details
    if args.format == "json":
        out.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        for section in ("overall", "overall_with_new_topic", "latency_ms", "rewrites"):
            if section in report:
                out.write(f"{section}: {report[section]}\n")
        for kind, stats in report["by_kind"].items():
            out.write(f"{kind}: {stats}\n")
        out.write(f"chunks: {report['chunks']}  build_s: {report['build_s']}\n")
    return 0


def _eval_answers(args: argparse.Namespace, out: TextIO) -> int:
    from pierre_rag.evaluation.answers import run_answers_eval
    from pierre_rag.evaluation.retrieval import ensure_datastore, load_questions
    from pierre_rag.knowledge.embeddings import embedder_from_env
    from pierre_rag.knowledge.search import KnowledgeBase
    from pierre_rag.landlords import LandlordRegistry
    from pierre_rag.settings import Settings

    if not args.knowledge.is_dir():
        raise KnowledgeError(f"knowledge folder not found: {args.knowledge}")
    questions = load_questions(args.questions)
    registry = LandlordRegistry.from_directory(args.landlords or Settings.from_env().landlords_dir)
    landlord = args.landlord or registry.ids[0]
    embedder = embedder_from_env()
    path, _ = ensure_datastore(args.knowledge, embedder, args.cache_dir, rebuild=args.rebuild)
    report = run_answers_eval(
        KnowledgeBase.open(path, embedder),
        registry,
        questions,
        landlord=landlord,
        live_history=args.live_history,
    )
    details = report.pop("per_question")
    if args.details:
        report["per_question"] = details
    out.write(json.dumps(report, ensure_ascii=False) + "\n")
    return 0


def _record_rewrites(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import asyncio
    from datetime import date

    from pierre_rag.evaluation.record_rewrites import (
        record_rewrites,
        recording_config,
        recording_llm,
    )
    from pierre_rag.evaluation.retrieval import EvalInputError, load_questions
    from pierre_rag.evaluation.rewrites import write_rewrites
    from pierre_rag.settings import Settings

    questions = load_questions(args.questions)
    landlords = args.landlords or Settings.from_env().landlords_dir
    llm = recording_llm(recording_config(landlords, args.landlord, args.model, args.base_url))
    recording = asyncio.run(record_rewrites(questions, llm, recorded=date.today()))
    for row, reason in recording.skipped.items():
        err.write(f"pierre: {row}: not recorded: {reason}\n")
    if not recording.rewrites:  # a good earlier recording is not overwritten by nothing
        raise EvalInputError(f"{llm.name} understood none of the {len(questions)} rows")
    write_rewrites(args.out, recording.rewrites)
    out.write(
        f"wrote {args.out}: {len(recording.rewrites)} of {len(questions)} rows "
        f"recorded with {llm.name}\n"
    )
    return 0


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = _parser().parse_args(argv)
    try:
        if args.group == "knowledge" and args.command == "build":
            return _build(args, out, err)
        if args.group == "knowledge" and args.command == "search":
            return _search(args, out)
        if args.group == "knowledge" and args.command == "convert":
            return _convert(args, out, err)
        if args.group == "landlords":
            return _check_landlords(args, out, err)
        if args.command == "answers":
            return _eval_answers(args, out)
        if args.command == "record-rewrites":
            return _record_rewrites(args, out, err)
        return _eval_retrieval(args, out)
    except KnowledgeError as exc:
        err.write(f"pierre: error: {exc}\n")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
