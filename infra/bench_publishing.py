"""Benchmark: a 50-page landlord built, checked and published over the community datastore.

    .venv/bin/python infra/bench_publishing.py [--pages 50] [--base build/datastore.sqlite]

The landlord's pages are generated here (ordinary agency information: hours, caretakers,
rent, repairs, with made-up residences and streets) into the in-memory publishing stores;
the community base is the layer's datastore, built from ``knowledge/`` with
``pierre knowledge build`` when it is missing. Times, with the local USE model loaded first:
a cold build (no embedding cache yet), then a rebuild after one page is edited (the cache
kept by the first build). Prints figures only; the target (issue #17) is a cold build of a
50-page landlord in 20 s or less.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.publishing.build import LandlordBuilder
from pierre_rag.publishing.memory import MemoryArtifacts, MemoryPublishing, MemorySources
from pierre_rag.publishing.models import Build, BuildMessage, ControlQuestion

REPO = Path(__file__).resolve().parents[1]
LANDLORD = "bench-habitat.fr"
ACTOR = "bench@bench-habitat.fr"

TOPICS = [
    ("horaires-agence", "Horaires de l'agence", "l'accueil de l'agence"),
    ("gardiens", "Gardiens des résidences", "le gardien"),
    ("paiement-loyer", "Payer son loyer", "le paiement du loyer"),
    ("chaudiere", "Entretien de la chaudière", "l'entretien annuel de la chaudière"),
    ("encombrants", "Encombrants et déchets", "l'enlèvement des encombrants"),
    ("ascenseur", "Ascenseur en panne", "la réparation de l'ascenseur"),
    ("stationnement", "Parkings et garages", "la location d'une place de parking"),
    ("espaces-verts", "Espaces verts", "l'entretien des espaces verts"),
    ("nuisibles", "Nuisibles", "la désinsectisation des logements"),
    ("interphone", "Interphone et badges", "le remplacement d'un badge"),
]
RESIDENCES = ["Les Tilleuls", "Le Clos Fleuri", "Les Peupliers", "La Roseraie", "Les Érables"]
STREETS = ["rue des Lilas", "avenue Jean Moulin", "place du Marché", "chemin des Vignes"]
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
SENTENCES = [
    "Pour {subject}, adressez-vous à votre agence du {street} ou appelez le standard.",
    "Le service est ouvert le {day} de {start} heures à {end} heures, sans rendez-vous.",
    "La résidence {residence} dépend de l'agence située {street}.",
    "Pensez à indiquer votre numéro de contrat et votre adresse complète.",
    "Une réponse vous est donnée sous {delay} jours ouvrés.",
    "En cas d'urgence le soir ou le week-end, appelez le numéro d'astreinte affiché dans le hall.",
    "Les frais liés à {subject} sont compris dans les charges récupérables.",
    "Votre gardien peut vous aider à remplir la demande et la transmettre à l'agence.",
    "Vous pouvez aussi faire la demande depuis votre espace locataire en ligne.",
    "Un technicien passe chez vous le {day} suivant votre demande, entre {start} et {end} heures.",
]
QUESTIONS = [
    "Comment faire pour {subject} ?",
    "Qui contacter pour {subject} à la résidence {residence} ?",
    "Quels sont les horaires pour {subject} ?",
    "Combien de temps faut-il attendre pour {subject} ?",
]


def landlord_page(number: int, rng: random.Random) -> tuple[str, str]:
    """A source path and an ordinary Markdown page of agency information."""
    slug, title, subject = TOPICS[number % len(TOPICS)]
    residence = RESIDENCES[number % len(RESIDENCES)]
    lines = [f"# {title} — résidence {residence}", ""]
    for question in rng.sample(QUESTIONS, 3):
        values = {
            "subject": subject,
            "residence": residence,
            "street": rng.choice(STREETS),
            "day": rng.choice(DAYS),
            "start": rng.randint(8, 10),
            "end": rng.randint(16, 18),
            "delay": rng.randint(2, 10),
        }
        lines += [f"## {question.format(**values)}", ""]
        lines += [" ".join(s.format(**values) for s in rng.sample(SENTENCES, 3)), ""]
    access = "staff" if number % 10 == 9 else "public"
    return f"{access}/{slug}-{number:02d}.md", "\n".join(lines)


def ensure_base(base: Path) -> None:
    if base.is_file():
        return
    print(f"building the community datastore {base} from knowledge/", flush=True)
    pierre = Path(sys.executable).with_name("pierre")
    source = REPO / "knowledge"
    subprocess.run(
        [str(pierre), "knowledge", "build", "--source", str(source), "--out", str(base)], check=True
    )


def timed_build(builder: LandlordBuilder, build_id: str) -> tuple[Build, float]:
    started = time.perf_counter()
    build = builder.run(BuildMessage(landlord=LANDLORD, build_id=build_id, actor=ACTOR))
    return build, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--base", type=Path, default=REPO / "build" / "datastore.sqlite")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    ensure_base(args.base)

    started = time.perf_counter()
    embedder = UseEmbedder(threads=1)
    embedder.load()
    model_s = time.perf_counter() - started

    rng = random.Random(args.seed)  # noqa: S311 (made-up pages, not secrets)
    sources, artifacts, repository = MemorySources(), MemoryArtifacts(), MemoryPublishing()
    pages = [landlord_page(number, rng) for number in range(args.pages)]
    for path, text in pages:
        sources.write(LANDLORD, path, text.encode(), ACTOR)
    first_title = pages[0][1].splitlines()[0].lstrip("# ")
    repository.put_control(
        ControlQuestion(
            landlord=LANDLORD,
            id="benchcontrol",
            question=first_title,
            expected_file=pages[0][0],
            created_ms=0,
            created_by=ACTOR,
        )
    )
    with tempfile.TemporaryDirectory() as work:
        builder = LandlordBuilder(
            sources, artifacts, repository, args.base, embedder, Path(work) / "builds"
        )
        started = time.perf_counter()
        base = builder.base
        base_s = time.perf_counter() - started
        cold, cold_s = timed_build(builder, "benchbuild0001")
        path, text = pages[1]
        sources.write(LANDLORD, path, (text + "\nUne phrase ajoutée.\n").encode(), ACTOR)
        warm, warm_s = timed_build(builder, "benchbuild0002")

    size_mb = len(artifacts.objects[cold.object_key]) / 1e6
    print(f"community base: {len(base.rows)} chunks, read in {base_s:.2f} s")
    print(f"model load: {model_s:.2f} s (not counted below)")
    print(f"landlord: {args.pages} pages, {cold.chunks} chunks; datastore {size_mb:.1f} MB")
    print(f"cold build: {cold_s:.2f} s, {cold.embedded} embedded, status {cold.status.value}")
    print(f"rebuild after one edit: {warm_s:.2f} s, {warm.embedded} embedded, {warm.status.value}")
    print(f"control question rank: {cold.controls[0].rank} (target: cold build <= 20 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
