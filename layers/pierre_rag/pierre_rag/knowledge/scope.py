"""How close a query is to the topics the assistant covers, whatever the knowledge holds.

The top cosine against the knowledge says whether a section answers; it cannot say whether a
question is about housing when no section covers it yet (fleas, a blocked sink, a roof leak):
those would be refused as off-topic. These short descriptions of a tenant's concerns are
embedded once per knowledge base with the same multilingual model, so a question in Arabic or
Turkish about a blocked sink comes close to "plumbing" though no word is shared.
"""

from __future__ import annotations

import numpy as np

from pierre_rag.knowledge.embeddings import Embedder, Vectors

TOPICS = (
    "une question sur mon logement, mon appartement ou ma maison en location",
    "demande de logement social, dossier HLM, attribution d'un logement",
    "le bail, le contrat de location, le préavis pour quitter le logement",
    "payer le loyer, retard de loyer, charges locatives, avis d'échéance",
    "aides au logement, APL, garant",
    "le dépôt de garantie, l'état des lieux d'entrée et de sortie",
    "une réparation dans le logement : qui doit payer, le locataire ou le bailleur ?",
    "panne de chauffage, d'eau chaude, de chaudière ou de ventilation",
    "plomberie : fuite d'eau, évier ou toilettes bouchés, dégât des eaux, toit qui fuit",
    "électricité dans le logement : prise, lumière, compteur, panne de courant",
    "le logement abîmé : fenêtre, porte, volet, sol, plafond, mur fissuré, cave inondée",
    "humidité, moisissures et condensation sur les murs",
    "nuisibles et insectes dans le logement : cafards, punaises de lit, fourmis, puces, "
    "souris, rats, pigeons",
    "problème avec un voisin : bruit, trouble de voisinage, incivilités",
    "parties communes de l'immeuble : ascenseur, hall, escalier, porte d'entrée, interphone, "
    "boîte aux lettres, éclairage, propreté",
    "le gardien, l'agence du bailleur, contacter le bailleur",
    "odeur de gaz, incendie, urgence dans le logement ou l'immeuble",
    "changer de logement, échange, mutation, logement adapté",
    "qui peut habiter dans le logement : héberger quelqu'un, sous-location, colocation",
    "assurance habitation",
    "animaux dans le logement",
    "stationnement, parking, cave, balcon, local vélo de la résidence",
)


class ScopeTopics:
    """The topics' vectors, embedded by :meth:`load` or on first use."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._vectors: Vectors | None = None

    def load(self) -> Vectors:
        """Embed the topics now (at init with a local model: ~70 ms the first question saves)."""
        if self._vectors is None:
            self._vectors = self._embedder.embed(TOPICS)
        return self._vectors

    def cosine(self, queries: Vectors) -> float:
        """The best cosine between any query vector and any topic (vectors are unit rows)."""
        if len(queries) == 0:
            return 0.0
        return float(np.max(queries @ self.load().T))
