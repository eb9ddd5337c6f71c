"""A section of the same article is quoted when its heading names what the question asks and
the first section's heading does not."""

from __future__ import annotations

from pierre_rag.pipeline.channels import WEB
from pierre_rag.pipeline.compose import fresh_grounding
from pierre_rag.pipeline.extractive import Focus, extractive_answer, focus
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.retrieve import Grounding
from pierre_rag.pipeline.sibling import named_sibling

TITLE = "Changer de logement"


def _source(
    number: int, heading: str, file: str = "mutation.md", above: tuple[str, ...] = ()
) -> Source:
    """A section of an article titled ``TITLE``, under the headings ``above``."""
    return Source(
        number=number,
        file=file,
        title=TITLE,
        heading=heading,
        breadcrumb=" > ".join([TITLE, *above, heading]),
    )


SOURCES = [
    _source(1, "Comment obtenir un changement de logement ?"),
    _source(2, "Les pièces à fournir"),
    _source(3, "Quels sont les délais d'attente pour une mutation ?"),
    _source(4, "Les délais d'instruction en préfecture", file="autre.md"),
]
TEXTS = [
    "Adressez votre demande de mutation à votre bailleur, qui l'examine en commission.",
    "Joignez votre avis d'imposition et une pièce d'identité à votre demande de mutation.",
    "Comptez souvent plusieurs années d'attente dans les villes où les grands logements manquent.",
    "La préfecture instruit les recours dans un délai de trois à six mois selon le département.",
]
QUESTION = "ça fait deux ans que j'attends, c'est normal ce délai ?"


def test_the_sibling_whose_heading_names_the_question_is_chosen():
    assert named_sibling(QUESTION, SOURCES, [0, 1, 2, 3], 0) == 2


def test_the_first_section_is_kept_when_its_own_heading_names_the_question():
    question = "comment obtenir un changement de logement ?"

    assert named_sibling(question, SOURCES, [0, 1, 2, 3], 0) is None


def test_the_first_section_is_kept_when_a_heading_above_it_names_the_question():
    # Given the first section sits under a heading that holds "renouveler", and a sibling in
    # another branch of the article holds another of the question's words ("internet")
    first = _source(1, "Les délais", above=("Renouveler sa demande",))
    other = _source(2, "Déposer sa demande sur internet", above=("Déposer",))
    question = "faut il renouveler ma demande faite sur internet ?"

    assert named_sibling(question, [first, other], [0, 1], 0) is None


def test_a_section_of_another_article_is_never_chosen():
    # Given only the other article's section names "délai"
    sources = [SOURCES[0], SOURCES[1], SOURCES[3]]

    assert named_sibling(QUESTION, sources, [0, 1, 2], 0) is None


def test_words_of_the_article_s_title_name_no_sibling():
    # "logement" is in the title: every section of the article shares it
    assert named_sibling("un logement ?", SOURCES, [0, 1, 2, 3], 0) is None


def test_two_siblings_naming_as_much_leave_the_first():
    sources = [*SOURCES[:3], _source(5, "Les délais pour un grand logement")]

    assert named_sibling(QUESTION, sources, [0, 1, 2, 3], 0) is None


def test_the_answer_quotes_the_sibling():
    grounding = Grounding(list(SOURCES), list(TEXTS))

    quoted = focus(grounding, QUESTION, sections=1, further=0).grounding()

    assert [s.heading for s in quoted.sources] == [SOURCES[2].heading]
    assert quoted.texts == [TEXTS[2]]


def test_asked_again_the_answer_moves_on_from_the_sibling_it_quoted():
    # Given the sibling was quoted in the previous answer
    grounding = Grounding(list(SOURCES), list(TEXTS))

    def focused(candidate: Grounding) -> Focus:
        return focus(candidate, QUESTION, sections=1, further=0)

    def write(picked: Focus) -> str:
        shown = picked.grounding()
        return extractive_answer(shown.sources, shown.texts, language="fr", style=WEB, handoff=None)

    previous = write(focused(grounding))
    assert TEXTS[2] in previous

    # When the same question comes again
    fresh = fresh_grounding(grounding, previous, focused, write)

    # Then another section of the same article is quoted, not the sibling again, nor nothing
    assert fresh is not None
    again = focused(fresh).grounding()
    assert again.sources[0].heading != SOURCES[2].heading
    assert again.sources[0].file == "mutation.md"


def _hours(number: int, heading: str) -> Source:
    title = "Agences et horaires"
    return Source(
        number=number,
        file="agences.md",
        title=title,
        heading=heading,
        breadcrumb=f"{title} > {heading}",
    )


# An article whose title names every word of the question: only the first word asked tells
# its sections apart
HOURS = [
    _hours(1, "Quelle est mon agence ?"),
    _hours(2, "Comment joindre l'accueil en dehors des horaires ?"),
    _hours(3, "Quels sont les horaires d'ouverture ?"),
    _hours(4, "Où envoyer un courrier ?"),
]


def test_when_the_title_names_every_word_the_section_naming_the_first_one_asked_is_chosen():
    # "horaires" comes first: it is what is asked; "mon agence" says whose
    assert named_sibling("Quels sont les horaires de mon agence ?", HOURS, [0, 1, 2, 3], 0) == 2


def test_among_sections_naming_the_first_word_the_one_most_about_the_question_is_chosen():
    # both name "horaires"; "Quels sont les horaires d'ouverture ?" has fewer other words
    assert named_sibling("les horaires de l'agence", HOURS, [0, 3, 1, 2], 0) == 2


def test_when_the_first_section_names_the_first_word_asked_it_is_kept():
    # "agence" comes first here, and the first section's heading names it
    assert named_sibling("mon agence, ses horaires ?", HOURS, [0, 1, 2, 3], 0) is None
    # and a first section naming "horaires" is kept for the hours question
    assert named_sibling("les horaires de mon agence ?", HOURS, [1, 0, 2, 3], 1) is None
