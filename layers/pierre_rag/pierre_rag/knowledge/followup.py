"""Follow-up or new topic: how much a message leans on the previous user turn.

Without an LLM, a message is searched both alone and with the previous user turn prepended
(``contextual_query``), and the two rankings are fused, weighted by the probability that the
message is a follow-up. A wrong guess then costs rank, not the answer: "et en meublé ?" after a
notice question still finds the notice, and "odeur de gaz" after a radiator question is not
buried under heating passages.

The probability is a logistic score of signals in how people write, in any language:

- a leading link ("et si…", "and…", "y…", "même chose pour…"), a leading pronoun ("il
  risque quoi ?", "ça dure combien ?") or an object pronoun before anything the message names
  ("comment je le demande ?", "j'y ai droit ?"), or an act asked about with nothing named
  ("qui doit payer ?", "faut demander avant ?"): the message continues the previous one;
- an announced change ("sinon", "autre question", "by the way"): it does not;
- how much the message says on its own: the top dense cosine of the message alone (a message
  that comes close to nothing by itself leans more on its context); the number of its words
  the index knows adds nothing out of fold, so its weight is 0.

Both rankings always count (weights 1 - p and p): with no link nor pronoun, a message is
searched at 0.2 to 0.4 with its context (by its own closeness), so a short follow-up without
a marker still finds it.

The coefficients are fitted by ``infra/topic_cv.py`` (k-fold cross-validation over
``tests/bench/topic_turns.jsonl`` and the development split's follow-up and new-topic rows).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pierre_rag.knowledge.text import ASKING_WORDS, fold, stopwords

_WORD = re.compile(r"[a-z0-9]+")
# First words that tie a message to the one before (fr, en, es/pt/it, de, tr). Not Italian
# "ma" (but): French messages open with the possessive "ma" ("ma fenêtre ferme plus", "ma
# demande…") far more often than Italian ones with "ma".
_LINKS = frozenset("et and y e und ve also aussi mais but pero".split())
# "y a", "y avait": French written as it is said ("il y a"), not Spanish "y" (and).
_THERE_IS = frozenset("a avait aura aurait".split())
# First words standing for something said before.
_PRONOUNS = frozenset(
    "il elle ils elles ca cela celui celle ceux celles it they that those this".split()
)
# "il y a", "il faut", "il fait": an impersonal "il" stands for nothing said before.
_IMPERSONAL = frozenset("y faut fait".split())
_IS = frozenset("est etait sera serait".split())
_QUESTION_WORDS = frozenset(
    "quoi qui quand combien ou comment quel quelle quels quelles pourquoi lequel laquelle".split()
)
_SAME = ("meme chose", "pareil", "idem", "what about", "how about", "same for", "y si ", "e se ")
_CHANGE = (
    "sinon",
    "autre question",
    "autre chose",
    "rien a voir",
    "par ailleurs",
    "changement de sujet",
    "another question",
    "by the way",
    "otra pregunta",
    "outra pergunta",
)
_FILLERS = frozenset("ok oui non daccord merci bon bah ben ah alors".split())
# Object pronouns ("comment on l'obtient ?", "faut la renouveler ?", "j'y ai droit ?"): they
# stand for something said before when the message names nothing before them; "ma demande,
# je dois la renouveler ?" names its own.
_OBJECT_PRONOUNS = frozenset("le la les l en y".split())
_NOT_NAMING = frozenset(ASKING_WORDS) | _LINKS | _FILLERS | _PRONOUNS | frozenset("c qu".split())
_SUBJECTS = frozenset("je j tu il elle on nous vous ils elles".split())
_MODALS = frozenset(
    "dois doit devons devez faut peux peut pouvons pouvez veux veut vais va".split()
)
_INFINITIVES: dict[str, tuple[str, ...]] = {
    "la": ("er", "ir", "oir"),
    "les": ("er", "ir", "re", "oir"),
    "l": ("er", "ir", "re", "oir"),
}

# Acts a message may ask about without naming their object ("qui doit payer ?", "faut
# demander avant ?", "qui doit réparer ?"): alone with asking words, they stand for what the
# turn before named, as a pronoun would. Written forms, not stems: "ma demande", "la règle"
# and "le changement" name something.
_UNNAMED_ACTS = frozenset(
    """payer paie paies paient paye payes payent payant payante demander reparer appeler
    appelle prevenir previens previent occuper occupe intervenir intervient interviennent
    couter coute coutent changer rembourser rembourse attendre regler contacter""".split()
)
_BARE_ADVERBS = frozenset("avant apres maintenant aussi encore alors seul seule".split())
# The other party to every lease, named in a question that names nothing else: "le bailleur
# doit faire quoi ?" after cockroaches asks about the cockroaches. Not the agency nor the
# caretaker, which a question may be about ("c'est où l'agence ?").
_LANDLORD_WORDS = frozenset("bailleur bailleurs proprio proprios proprietaire".split())
_ELIDED = frozenset("c d j l m n qu s t".split())


@dataclass(frozen=True)
class Signals:
    """What the message says about its dependence on the previous turn."""

    link: bool
    pronoun: bool
    change: bool
    known_words: int
    alone_cosine: float


@dataclass(frozen=True)
class FollowUpModel:
    """Logistic weights of the signals (fitted by ``infra/topic_cv.py``)."""

    bias: float = -0.18
    link: float = 2.18
    pronoun: float = 2.2
    change: float = -0.34
    # How much the message says alone: the number of its words the index knows adds nothing
    # out of fold (0); its top dense cosine does ("qui doit payer ?" comes close to nothing).
    known_words: float = 0.0  # per known word, up to ``words_cap``
    alone_cosine: float = -2.27
    words_cap: int = 6
    # Least weight each ranking keeps; the weights are already graded, 0 measured best.
    floor: float = 0.0

    def probability(self, signals: Signals) -> float:
        z = (
            self.bias
            + self.link * signals.link
            + self.pronoun * signals.pronoun
            + self.change * signals.change
            + self.known_words * min(signals.known_words, self.words_cap)
            + self.alone_cosine * signals.alone_cosine
        )
        return 1.0 / (1.0 + math.exp(-z))

    def weights(self, signals: Signals) -> tuple[float, float]:
        """(weight of the message alone, weight of the message with its context)."""
        p = self.probability(signals)
        return max(1.0 - p, self.floor), max(p, self.floor)


def announces_change(message: str) -> bool:
    """Whether ``message`` says it changes the subject ("sinon", "autre question"…)."""
    folded = " ".join(_WORD.findall(fold(message)))
    return any(f" {change} " in f" {folded} " for change in _CHANGE)


def signals(message: str, known_words: int, alone_cosine: float) -> Signals:
    """The signals of ``message``; ``known_words`` and ``alone_cosine`` come from the search."""
    folded = " ".join(_WORD.findall(fold(message)))
    words = [w for w in folded.split() if w not in _FILLERS]
    first, second = [*words, "", ""][:2]
    return Signals(
        link=(first in _LINKS and not (first == "y" and second in _THERE_IS))
        or any(f" {same}" in f" {folded} " for same in _SAME),
        pronoun=(first in _PRONOUNS and not (first == "il" and second in _IMPERSONAL))
        or _object_pronoun_first(words)
        or _this_is_about_before(words)
        or _act_without_object(words)
        or _names_nothing(words),
        change=announces_change(message),
        known_words=known_words,
        alone_cosine=alone_cosine,
    )


def _act_without_object(words: list[str]) -> bool:
    """Whether the message asks about an act and names nothing else ("qui doit payer ?",
    "je dois payer moi ?"), not "qui doit payer l'assurance ?"."""
    stop = stopwords()
    acts = False
    for word in words:
        if word in _UNNAMED_ACTS:
            acts = True
        elif not (word in stop or word in ASKING_WORDS or word in _BARE_ADVERBS or word in _ELIDED):
            return False
    return acts


def _names_nothing(words: list[str]) -> bool:
    """Whether the message is made only of asking words and small words ("qu'est-ce que je
    dois faire ?", "c'est combien ?", "pourquoi ?"), the landlord aside ("le bailleur doit
    faire quoi ?"): it asks about what was said before."""
    stop = stopwords()
    asking = frozenset(ASKING_WORDS)
    small = stop | asking | _BARE_ADVERBS | _ELIDED | _LANDLORD_WORDS
    return any(word in asking for word in words) and all(word in small for word in words)


def _this_is_about_before(words: list[str]) -> bool:
    """Whether the message opens on "c'est" about what was said ("c'est normal ?", "c'est à
    moi de payer ?"), not on "c'est" asking about what it names next ("c'est quoi le FSL ?",
    "c'est combien la caution ?")."""
    first, second, third = [*words, "", "", ""][:3]
    return first == "c" and second in _IS and third not in _QUESTION_WORDS


def _object_pronoun_first(words: list[str]) -> bool:
    """Whether an object pronoun comes before anything the message names: after a subject
    ("comment on l'obtient ?", "j'y ai droit ?") or a modal before an infinitive ("faut la
    renouveler ?"); not "ma demande, je dois la renouveler ?" nor "il y a", and not an article
    ("quand est le loyer prélevé ?")."""
    stop = stopwords()
    for index, word in enumerate(words):
        before = words[index - 1] if index else ""
        if before in ("ne", "n") and index > 1:
            before = words[index - 2]
        after = words[index + 1] if index + 1 < len(words) else ""
        if word in _OBJECT_PRONOUNS and _stands_for_something(word, before, after):
            return True
        if word not in stop and word not in _NOT_NAMING:
            return False
    return False


def _stands_for_something(word: str, before: str, after: str) -> bool:
    if word == "y" and (before == "il" or after in _THERE_IS):
        return False
    if before in _SUBJECTS:
        return True
    # After a modal, an infinitive tells a pronoun from an article: "faut la renouveler", not
    # "faut le dossier", "je dois le loyer" (masculine nouns end in -er too: never "le"), nor
    # "la lettre" (feminine ones in -re)
    return before in _MODALS and after.endswith(_INFINITIVES.get(word, ()))
