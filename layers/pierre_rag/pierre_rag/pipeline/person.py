"""A message that asks for a person instead of asking a question ("je veux parler à quelqu'un").

Such a message got "nothing found": the search has nothing to find in it, and the reply, "I
found no reliable answer to this question", answered a question nobody asked and counted as
one in the statistics. It now gets the landlord's contact, said as such, and the turn counts as
a request for a person (``Outcome.HANDOFF``). Only a message made of the request and of
politeness is one: "je veux parler à un conseiller pour mon loyer impayé" is a question, and its
answer ends with the contact as every answer does.
"""

from __future__ import annotations

import re

from pierre_rag.pipeline.language import fold, writes_in_script

# Who a tenant asks for, folded ("quelqu'un" folds to "quelqu un").
_SOMEONE = (
    r"(?:quelqu ?un|qqn|qqun|une? (?:vraie? )?(?:personne|etre humain|humain|conseill(?:er|ere)|"
    r"agent|operat(?:eur|rice)|interlocut(?:eur|rice)|employee?|gestionnaire|responsable)|"
    r"(?:des |les )?humains?|(?:un |une )?(?:vraie? )?personne(?: reelle| physique)?)"
)
_REQUESTS = tuple(
    re.compile(pattern)
    for pattern in (
        # French
        rf"\b(?:parler|discuter|echanger|causer) (?:a|avec) {_SOMEONE}",
        rf"\b(?:joindre|contacter|avoir|appeler) {_SOMEONE}",
        r"\b(?:mettre|mettez|mets|me mettre) (?:moi )?en (?:relation|contact)\b",
        r"\bmise en relation\b",
        r"\b(?:etre|me faire) rappelee?\b|\brappel(?:ez|le|er)[ -]moi\b|\bme rappeler\b",
        # English
        r"\b(?:talk|speak|chat) (?:to|with) (?:a |an |the )?(?:someone|somebody|human|person|"
        r"real person|real human|agent|live agent|advisor|adviser|representative|operator|"
        r"member of staff|staff)\b",
        r"\b(?:a |an )?(?:real|live) (?:person|human|agent)\b",
        r"\bcall me back\b",
        # Spanish, Portuguese, Italian
        r"\bhablar con (?:una persona|alguien|un humano|un agente|una? asesora?|una? operadora?)\b",
        r"\bfalar com (?:uma pessoa|alguem|um humano|uma? atendente|um agente|um operador)\b",
        r"\bparlare con (?:una persona|qualcuno|un operatore|un operatrice|un umano|"
        r"un consulente)\b",
        # German
        r"\b(?:mit )?(?:einem menschen|jemandem|einer person|einem mitarbeiter|einer "
        r"mitarbeiterin|einem berater|einer beraterin) (?:sprechen|reden)\b",
        # Turkish (dotless i does not fold)
        r"\b(?:bir )?(?:insanla|kis[iı]yle|b[iı]r[iı]yle|temsilc[iı]yle|yetk[iı]l[iı]yle) "
        r"(?:konusmak|gorusmek|konusab[iı]l[iı]r|gorusab[iı]l[iı]r)",
        # Arabic: to speak with a person, an employee, a human, someone
        r"(?:اتحدث|أتحدث|التحدث|اتكلم|أتكلم|التكلم|تكلم) (?:مع )?(?:شخص|موظف|انسان|إنسان|احد|أحد)",
    )
)
# Alone, these words are the request: "un humain svp", "conseiller !", "human please".
_BARE = frozenset(
    "humain humains conseiller conseillere operateur operatrice human agent operator "
    "humano persona pessoa umano mensch".split()
)
# What may surround a request and leave it one (folded words).
_POLITENESS = frozenset(
    """
    bonjour bonsoir salut svp stp s il vous plait te merci oui non
    je j jai ai moi me veux voudrais voudrai souhaite souhaiterais aimerais desire peux puis
    pourrais pourriez pouvez possible est ce que est-ce estce serait il faut vous tu
    de d a au avec un une directement maintenant vite rapidement urgent tout suite
    hello hi hey please i id want would like to can could may need thanks
    hola quiero queria quisiera por favor puedo necesito
    ola gostaria quero posso preciso favor
    ciao vorrei voglio posso per favore
    hallo ich mochte will bitte kann
    merhaba istiyorum lutfen
    """.split()
)
_WORD = re.compile(r"\w+")
_ARABIC_MAX_WORDS = 8


def asks_for_a_person(text: str) -> bool:
    """Whether ``text`` is only a request to talk to a person (and politeness)."""
    folded = " ".join(_WORD.findall(fold(text)))
    if not folded:
        return False
    rest = folded
    matched = False
    for request in _REQUESTS:
        rest, count = request.subn(" ", rest)
        matched = matched or count > 0
    words = rest.split()
    if matched and writes_in_script(folded, "ar"):
        return len(folded.split()) <= _ARABIC_MAX_WORDS
    if not matched and not any(word in _BARE for word in words):
        return False
    return all(word in _POLITENESS or word in _BARE for word in words)
