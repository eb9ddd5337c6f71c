"""Retrieval variants under k-fold cross-validation (issue #16): keep a change only if it
helps on the folds it was not chosen on.

    .venv/bin/python infra/retrieval_cv.py                              # baseline vs no_tables
    .venv/bin/python infra/retrieval_cv.py --variants baseline,no_phrases --folds 5 --seed 7
    .venv/bin/python infra/retrieval_cv.py --audit                      # each entry group removed
    .venv/bin/python infra/retrieval_cv.py --variants places,places_department  # gazetteer

Rows: ``tests/bench/questions.tuning.jsonl`` and the shared dev split (over the shared corpus,
``PIERRE_SHARED_DIR`` or ../shared), and ``tests/bench/questions.project.*.jsonl`` (over
``knowledge/``, community scope); ``--sets`` picks some. Folds are stratified by kind and
seeded. For each variant it prints the train and test figures of every fold, their means,
and per kind and per set (pooled out of fold); then, per fold, which variant wins on the
training folds and what it scores on the held one.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pierre_rag.evaluation.cross_validation import (
    FIGURES,
    FoldFigures,
    ScoredRow,
    by_group,
    cross_validate,
    mean_figures,
    select,
    stratified_folds,
)
from pierre_rag.evaluation.retrieval import (
    BenchQuestion,
    ensure_datastore,
    load_questions,
    run_eval,
)
from pierre_rag.knowledge.cache import default_cache_dir
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.embeddings import Embedder, embedder_from_env
from pierre_rag.knowledge.places import PlaceExpansion
from pierre_rag.knowledge.search import KnowledgeBase, SearchConfig
from pierre_rag.knowledge.text import EMPTY_VOCABULARY, QueryVocabulary, default_vocabulary

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO.parent / "shared"))
SHORT = {"recall@1": "R@1", "recall@5": "R@5", "mrr@10": "MRR", "section_recall@5": "secR@5"}

# Entry groups of data/abbreviations.yaml and data/phrases.yaml, by what they map, for the
# audit (--audit removes one group at a time). Keys not listed fall in "other".
GROUPS: dict[str, Sequence[str]] = {
    "sms_grammar": (
        "jveu jveux veu jpeux jpe jpx px jsuis chui jsui jai jen jme jsais chai jvais cest c g "
        "pk pq pourkoi koi kwa kan qd kel keske kesk cmt cmnt bjr bsr slt stp svp mrc tjrs tjr "
        "tt ts pr ds dc bcp mtn auj ajd jms mm qlq qq qqn qqch dsl pb pblm prob pbm"
    ).split(),
    "sms_housing": (
        "appart apparts app logt lgt loc coloc rdv edl edle edls dg ag dmd dde dem mutat loye "
        "loyr bailleu dossie assoc asso assos secu handi regul regule locapass apart aparts appt "
        "alloc allocs chauf elec f1 f2 f3 f4 f5 f6"
    ).split(),
    "acronyms": "hlm apl als alf caf rsa aah smic cdi cdd pmr mdph".split(),
    "people_family": (
        "proprio proprios gardien bebe gosse gosses mioches ex mari femme copain copine "
        "retraitee divorce separes decede decedee veuf veuve"
    ).split(),
    "leaving": "quitter demenager prevenir preavis demenage".split(),
    "eviction_debt": (
        "expulse expulsee vire dehors virer impaye impayes dette dettes huissier huissiers"
    ).split(),
    "money_work": (
        "boulot taf chomage thune fric salaire salaires papiers patronal patronale"
    ).split(),
    "repairs": (
        "chauffe chaudiere frigo clim radiateur radiateurs disjoncteur degat degats fuite "
        "humidite moisi inondation inonde"
    ).split(),
    "pests": "cafard cafards punaises rats souris blattes punaise insectes".split(),
    "neighbours_animals": (
        "voisin voisins bruit bruits bruyant bruyants chien chiens chat chats"
    ).split(),
    "deposit_insurance": "caution garant assurance colocataire clefs clef".split(),
    "status": "etudiant etudiants alternance apprenti stage invalidite handicape".split(),
    "social_housing_terms": (
        "questionnaire surloyer sous-louer souslouer airbnb raser rase rasee detruire detruit"
    ).split(),
    "phrase_keys_back": (
        "rendre cles",
        "rendu cles",
        "rend cles",
        "remise cles",
        "rendre appart",
        "rendre logement",
    ),
    "phrase_deposit_back": (
        "rendre caution",
        "rendu caution",
        "rend caution",
        "recuperer caution",
        "rembourser caution",
    ),
    "phrase_size_move": (
        "trop grand",
        "trop petit",
        "changer logement",
        "changer appart",
        "changer appartement",
    ),
    "phrase_priority_hosted": (
        "en premier",
        "passer avant",
        "dort chez",
        "dors chez",
        "dormir chez",
        "vit chez",
        "vis chez",
        "loge chez",
    ),
    "phrase_eviction": ("mettre dehors", "foutre dehors"),
    "phrase_breakdown": (
        "plus chauffage",
        "plus eau chaude",
        "plus electricite",
        "coupure courant",
        "panne courant",
        "plus courant",
    ),
    "phrase_deposit_help": (
        "avance caution",
        "avancer caution",
        "aide caution",
        "pret caution",
        "avancer depot garantie",
        "aide depot garantie",
        "pret depot garantie",
    ),
    "phrase_adaptation": (
        "adapter logement",
        "adapter salle bain",
        "amenager logement",
        "amenager salle bain",
    ),
    "phrase_refusal_pay": ("dis non", "dire non", "dit non", "fiche paie", "bulletin paie"),
}


@dataclass(frozen=True)
class BenchSet:
    """Questions searched over one knowledge folder."""

    name: str
    questions: list[BenchQuestion]
    knowledge: Path


def entry_groups(vocabulary: QueryVocabulary) -> dict[str, Sequence[str]]:
    """GROUPS, plus "other" for any key of the tables that no group lists."""
    listed = {key for keys in GROUPS.values() for key in keys}
    other = [k for k in vocabulary.abbreviations if k not in listed]
    other += [p.key for p in vocabulary.phrases if p.key not in listed]
    return {**GROUPS, "other": tuple(other)} if other else dict(GROUPS)


# Search settings besides the vocabulary, by name: ``<name>=<value>`` sets one SearchConfig
# field (e.g. title_prior_weight=0); several are joined with "&"
# ("title_prior_weight=0.5&title_prior_max_files=2").
SETTINGS = (
    "title_prior_weight",
    "title_prior_max_files",
    "title_prior_max_share",
    "rrf_k",
    "dense_weight",
    "bm25_weight",
    "foreign_bm25_weight",
    "names_weight",
    "proximity_weight",
    "proximity_window",
    "compounds",
    "glossary",
    "acronym_max_share",
    "title_exact_max_stem",
)
_INTEGER_SETTINGS = frozenset({"title_prior_max_files", "proximity_window", "title_exact_max_stem"})
_BOOLEAN_SETTINGS = frozenset({"compounds", "glossary"})


def setting_variant(name: str) -> SearchConfig:
    """A ``SearchConfig`` with the shipped vocabulary and the settings spelled in ``name``."""
    values: dict[str, float | int | bool] = {}
    for part in name.split("&"):
        key, _, value = part.partition("=")
        if key not in SETTINGS or not value:
            raise SystemExit(f"unknown setting {part!r}; known: {', '.join(SETTINGS)}")
        try:
            number = float(value)
        except ValueError:
            raise SystemExit(f"setting {part!r}: {value!r} is not a number") from None
        if key in _BOOLEAN_SETTINGS:
            values[key] = bool(number)
        else:
            values[key] = int(number) if key in _INTEGER_SETTINGS else number
    return replace(SearchConfig(), vocabulary=default_vocabulary(), **values)  # type: ignore[arg-type]


def variants(names: Sequence[str], audit: bool) -> dict[str, SearchConfig]:
    """Named configurations: baseline, no_tables, no_abbreviations, no_phrases,
    without:<group>, drop:<key>+<key>… (entries as written in the tables), and the place
    gazetteer on or off (``places``: département and région; ``places_department``), and
    search settings (``SETTINGS``: ``title_prior_weight=0``)."""
    shipped = default_vocabulary()
    groups = entry_groups(shipped)
    base = SearchConfig()
    on = base.places or PlaceExpansion()
    known_vocabularies: dict[str, QueryVocabulary] = {
        "no_tables": EMPTY_VOCABULARY,
        "no_abbreviations": QueryVocabulary(abbreviations={}, phrases=shipped.phrases),
        "no_phrases": QueryVocabulary(abbreviations=shipped.abbreviations, phrases=()),
        **{f"without:{g}": shipped.without(keys) for g, keys in groups.items()},
    }
    known: dict[str, SearchConfig] = {
        "baseline": replace(base, vocabulary=shipped),
        "places": replace(base, vocabulary=shipped, places=replace(on, region=True)),
        "places_department": replace(base, vocabulary=shipped, places=replace(on, region=False)),
        "no_places": replace(base, vocabulary=shipped, places=None),
        **{n: replace(base, vocabulary=v) for n, v in known_vocabularies.items()},
    }
    audited = ["baseline", *known_vocabularies] if audit else []
    wanted = list(dict.fromkeys(["baseline", *names, *audited]))
    for name in wanted:  # drop:<key>+<key>… — single entries, as written in the tables
        if name.startswith("drop:"):
            dropped = shipped.without(name.removeprefix("drop:").split("+"))
            known[name] = replace(base, vocabulary=dropped)
    for name in wanted:
        if "=" in name:
            known[name] = setting_variant(name)
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise SystemExit(f"unknown variant(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return {name: known[name] for name in wanted}


def bench_sets(chosen: Sequence[str]) -> list[BenchSet]:
    corpus = SHARED / "corpus" / "pierre-knowledge"
    available = {
        "tuning": lambda: BenchSet(
            "tuning", load_questions(REPO / "tests/bench/questions.tuning.jsonl"), corpus
        ),
        "dev": lambda: BenchSet(
            "dev", load_questions(SHARED / "bench/questions.dev.jsonl"), corpus
        ),
        "project": lambda: BenchSet(
            "project",
            [
                q
                for path in sorted((REPO / "tests/bench").glob("questions.project.*.jsonl"))
                for q in load_questions(path)
            ],
            REPO / "knowledge",
        ),
        "short": lambda: BenchSet(
            "short", _community_rows(REPO / "tests/bench/short_messages.jsonl"), REPO / "knowledge"
        ),
        "first": lambda: BenchSet(
            "first", _community_rows(REPO / "tests/bench/first_questions.jsonl"), REPO / "knowledge"
        ),
    }
    return [available[name]() for name in chosen]


def _community_rows(path: Path) -> list[BenchQuestion]:
    """The rows of a set over ``knowledge/`` with their community expectations only (the
    search is scored in the community scope; a row expecting only a landlord's file is left
    out). The held-out files are not read here: they are run once, by ``pierre eval``."""
    rows = []
    for question in load_questions(path):
        expected = [e for e in question.expected if e.file.startswith("commun/")]
        if expected:
            rows.append(question.model_copy(update={"expected": expected}))
    return rows


def score_variant(
    sets: Sequence[BenchSet],
    stores: dict[Path, Datastore],
    embedder: Embedder,
    config: SearchConfig,
) -> list[ScoredRow]:
    rows = []
    for bench in sets:
        kb = KnowledgeBase(stores[bench.knowledge], embedder, config)
        kinds = {q.id: q.kind for q in bench.questions}
        for scored in run_eval(kb, bench.questions)["per_question"]:
            scores = {key: float(scored[key]) for key in FIGURES}
            rows.append(ScoredRow(scored["id"], kinds[scored["id"]], bench.name, scores))
    return rows


def _figures(values: dict[str, float]) -> str:
    return " ".join(f"{SHORT[k]} {values[k]:.3f}" for k in FIGURES)


def report(name: str, rows: list[ScoredRow], folds: list[list[str]]) -> list[FoldFigures]:
    figures = cross_validate(rows, folds)
    print(f"\n== {name}  ({len(rows)} rows)")
    for f in figures:
        print(
            f"  fold {f.fold} n={f.test_n:<3} test {_figures(f.test)} | train {_figures(f.train)}"
        )
    print(f"  mean        test {_figures(mean_figures(figures))}")
    print(f"  mean       train {_figures(mean_figures(figures, 'train'))}")
    for label, groups in (
        ("kind", by_group(rows, lambda r: r.kind)),
        ("set", by_group(rows, lambda r: r.source)),
    ):
        for group, stats in groups.items():
            print(f"  {label:<4} {group:<16} n={int(stats['n']):<3} {_figures(stats)}")
    return figures


def compare(name: str, base: list[FoldFigures], other: list[FoldFigures]) -> str:
    """Per-fold test deltas of ``other`` against ``base`` (MRR), and the mean of each figure."""
    per_fold = " ".join(
        f"{o.test['mrr@10'] - b.test['mrr@10']:+.3f}" for b, o in zip(base, other, strict=True)
    )
    means = {k: mean_figures(other)[k] - mean_figures(base)[k] for k in FIGURES}
    worse = sum(o.test["mrr@10"] < b.test["mrr@10"] for b, o in zip(base, other, strict=True))
    mean_text = " ".join(f"Δ{SHORT[k]} {v:+.3f}" for k, v in means.items())
    return f"{name:<34} {mean_text}  ΔMRR per fold [{per_fold}] worse on {worse}/{len(base)}"


def changes(base: list[ScoredRow], other: list[ScoredRow]) -> str:
    """Rows whose reciprocal rank or section hit moved: id (kind) before → after."""
    before = {row.id: row.scores for row in base}
    moved = []
    for row in other:
        was, now = before[row.id], row.scores
        if (was["mrr@10"], was["section_recall@5"]) != (now["mrr@10"], now["section_recall@5"]):
            moved.append(
                f"{row.id} ({row.kind}) RR {was['mrr@10']:.2f}→{now['mrr@10']:.2f}"
                f" sec {was['section_recall@5']:.0f}→{now['section_recall@5']:.0f}"
            )
    return ", ".join(moved) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--variants", default="no_tables", help="comma-separated variant names")
    parser.add_argument("--audit", action="store_true", help="add every without:<group> variant")
    parser.add_argument(
        "--sets", default="tuning,dev,project", help="tuning, dev, project, short, first"
    )
    parser.add_argument("--figure", default="mrr@10", choices=FIGURES, help="selection figure")
    parser.add_argument("--quiet", action="store_true", help="only the comparison lines")
    parser.add_argument("--changes", action="store_true", help="rows each variant moves")
    args = parser.parse_args()

    chosen = variants([v for v in args.variants.split(",") if v], args.audit)
    sets = bench_sets([s for s in args.sets.split(",") if s])
    embedder = embedder_from_env()
    stores = {
        bench.knowledge: Datastore(
            ensure_datastore(bench.knowledge, embedder, default_cache_dir())[0]
        )
        for bench in sets
    }
    questions = [q for bench in sets for q in bench.questions if q.expected]
    folds = [
        [q.id for q in fold]
        for fold in stratified_folds(questions, lambda q: q.kind, args.folds, args.seed)
    ]
    print(f"{len(questions)} rows with expected sections, {args.folds} folds, seed {args.seed}")
    scored = {name: score_variant(sets, stores, embedder, v) for name, v in chosen.items()}
    figures = {}
    for name, rows in scored.items():
        if args.quiet:
            figures[name] = cross_validate(rows, folds)
        else:
            figures[name] = report(name, rows, folds)
    print("\nout of fold, against the baseline:")
    for name in scored:
        if name != "baseline":
            print("  " + compare(name, figures["baseline"], figures[name]))
            if args.changes:
                print("      moved: " + changes(scored["baseline"], scored[name]))
    print(f"\nchosen on the training folds by {args.figure}, read on the held fold:")
    for s in select(scored, folds, args.figure):
        print(f"  fold {s.fold}: {s.chosen:<34} test {s.test:.3f} (baseline {s.baseline_test:.3f})")


if __name__ == "__main__":
    main()
