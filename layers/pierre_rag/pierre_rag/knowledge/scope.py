"""How close a query is to the topics the assistant covers, whatever the knowledge holds.

The top cosine against the knowledge says whether a section answers; it cannot say whether a
question is about housing when no section covers it yet (fleas, a blocked sink, a roof leak):
those would be refused as off-topic. These topics are embedded once per knowledge base with the
same multilingual model, so a question in Arabic or Spanish about a blocked sink comes close
to the sink's topic though no word is shared.

Each topic is written as a tenant or an applicant would write it ("mon chauffage ne marche
pas"), not as a catalogue heading ("panne de chauffage"): a message lies closer to another
message than to a heading, and the model aligns languages sentence to sentence. They are in
French only: short translations measured worse, as hubs that every short foreign sentence
comes close to ("kiramı ödeyemiyorum" came closest to a cake recipe and to swimming lessons).
Each names its housing object ("dans le logement"), so a pet's name or a bike repair does not
come close through "chat" or "réparation".

``ELSEWHERE`` lists subjects the assistant does not cover. Being much closer to one of them than
to any covered topic is the clear evidence that lets the gate refuse a message a section of the
knowledge happens to come close to ("comment on fait un CV" to an article on finding work). It
never outweighs a housing word or closeness to a covered topic. ``infra/bench_gate.py``
measures both thresholds.

The topics are fixed text, so ``pierre knowledge build`` embeds them with the datastore's model
and stores their vectors beside the chunks' under a fingerprint of the model and the texts: a
cold start reads them (~1 ms) instead of embedding them (~75 ms), and embeds them only when the
datastore holds none of this fingerprint (an older datastore, topics edited since the build).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from pierre_rag.knowledge.embeddings import Embedder, Vectors

TOPICS = (
    # the home and its repairs
    "j'ai un problème dans mon appartement",
    "qui doit payer la réparation dans le logement, moi ou le bailleur ?",
    "mon chauffage ne marche pas, il fait froid chez moi",
    "je n'ai plus d'eau chaude, la chaudière ou le ballon est en panne",
    "il y a une fuite d'eau, ça coule du plafond, un dégât des eaux",
    "l'évier, la douche ou les toilettes sont bouchés, ça sent les égouts",
    "la ventilation, la VMC ou l'aération de la cuisine ne marche pas",
    "une prise ou la lumière ne marche plus, le disjoncteur saute",
    "la fenêtre, la porte, la serrure ou le volet est cassé",
    "les murs sont humides, il y a de la moisissure noire",
    "de la condensation sur les vitres et des taches noires au plafond",
    "des cafards, des punaises de lit, des souris ou des rats chez moi",
    "des insectes ou des bestioles qui piquent dans l'appartement",
    "faire des travaux ou installer quelque chose dans mon logement",
    "mon logement n'est pas adapté à mon handicap ou à mon âge",
    "le logement est en mauvais état, insalubre",
    # the building and the neighbours
    "mon voisin fait du bruit la nuit",
    "l'ascenseur est en panne dans mon immeuble",
    "l'interphone, le digicode ou le badge de l'immeuble ne marche pas",
    "les parties communes sont sales, des jeunes squattent le hall",
    "je veux joindre le gardien ou mon agence",
    "une place de parking, une cave ou un garage dans la résidence",
    # rent, charges and money
    "je n'arrive pas à payer mon loyer, j'ai des dettes de loyer",
    "un échéancier pour rembourser mon retard de loyer",
    "comment payer le loyer, prélèvement, avis d'échéance",
    "la régularisation des charges, pourquoi mes charges augmentent",
    "mes aides au logement, l'APL de la CAF",
    "le supplément de loyer de solidarité, l'enquête sur mes ressources",
    "le dépôt de garantie, l'état des lieux de sortie",
    "un garant, Visale, Loca-Pass",
    "l'assurance habitation du logement",
    # the lease
    "je veux quitter mon logement, combien de temps de préavis ?",
    "le bail, le contrat de location",
    "qui peut habiter avec moi, héberger quelqu'un, sous-louer une chambre",
    "après un décès ou une séparation, qui garde le logement ?",
    "mon bailleur accepte-t-il un chien ou un chat dans le logement ?",
    "je risque l'expulsion de mon logement, j'ai reçu une lettre d'huissier",
    # applicants
    "comment faire une demande de logement social, un HLM",
    "où en est ma demande de logement, combien de temps d'attente ?",
    "renouveler ma demande de logement, mon numéro unique",
    "les papiers à fournir pour le dossier de demande de logement",
    "la commission d'attribution, on m'a proposé un logement",
    "changer de logement, un logement plus grand, une mutation",
    "je suis à la rue, je n'ai pas de logement, le DALO",
    "une urgence chez moi : odeur de gaz, incendie, inondation",
)
ELSEWHERE = (
    "une recette de cuisine, comment cuisiner un plat ou un gâteau",
    "le résultat d'un match de foot, le sport",
    "la météo de demain, va-t-il pleuvoir",
    "mes devoirs de maths, un exercice d'école",
    "une question de culture générale, d'histoire ou de géographie",
    "la politique, les élections, le gouvernement",
    "programmer en python ou en javascript, un bug informatique",
    "réparer mon ordinateur, mon téléphone ou internet",
    "une célébrité, un chanteur, un acteur, un footballeur",
    "un film, une série, de la musique ou un jeu vidéo à conseiller",
    "j'ai mal, quel médicament prendre, un conseil de santé",
    "écris-moi un poème, une histoire ou une blague",
    "traduire une phrase dans une autre langue",
    "voyager, des vacances, un billet de train ou d'avion",
    "acheter une voiture, réparer ma voiture ou mon vélo",
    "ma banque, un crédit, la bourse, le bitcoin",
    "trouver un travail, écrire un CV ou une lettre de motivation",
    "faire du sport, maigrir, un régime",
    "un cadeau à offrir, faire du shopping",
    "mon animal est malade, le vétérinaire",
    "des papiers administratifs : passeport, permis de conduire, carte d'identité",
    "une question de science : physique, biologie, astronomie",
)


ALL_TOPICS = (*TOPICS, *ELSEWHERE)

# The vectors stored under a fingerprint, or None (``Datastore.topic_vectors``).
StoredVectors = Callable[[str], Vectors | None]


def topics_fingerprint(model_id: str) -> str:
    """What the stored vectors depend on: the model and every topic's text, in order."""
    digest = hashlib.sha256(model_id.encode())
    for topic in ALL_TOPICS:
        digest.update(b"\n" + topic.encode())
    return digest.hexdigest()[:16]


class ScopeTopics:
    """The vectors of the covered topics and of the subjects elsewhere: the stored ones when
    ``stored`` has them, else embedded together (one call), by :meth:`load` or on first use."""

    def __init__(self, embedder: Embedder, stored: StoredVectors | None = None) -> None:
        self._embedder = embedder
        self._stored = stored
        self._vectors: Vectors | None = None

    def load(self) -> Vectors:
        """Read or embed the topics now (at init: the first question need not)."""
        if self._vectors is None:
            print_ = topics_fingerprint(self._embedder.model_id)
            found = self._stored(print_) if self._stored else None
            if found is None or len(found) != len(ALL_TOPICS):
                found = self._embedder.embed(ALL_TOPICS)
            self._vectors = found
        return self._vectors

    def cosine(self, queries: Vectors) -> float:
        """The best cosine between any query vector and any covered topic (unit rows)."""
        return _best(queries, self.load()[: len(TOPICS)])

    def elsewhere_cosine(self, queries: Vectors) -> float:
        """The best cosine between any query vector and any subject the assistant does not cover."""
        return _best(queries, self.load()[len(TOPICS) :])


def _best(queries: Vectors, topics: Vectors) -> float:
    if len(queries) == 0:
        return 0.0
    return float(np.max(queries @ topics.T))
