"""Hybrid search: stemmed BM25 + dense (+ exact names), fused by weighted reciprocal rank.

Cross-lingual questions: query analysis keeps only words the index's prose knows, so an
English or Turkish question reaches BM25 as its acronyms and French terms ("SLS", "DALO");
``foreign_bm25_weight`` can still scale BM25 for such queries.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pierre_rag.knowledge import followup
from pierre_rag.knowledge.datastore import ChunkRecord, Datastore
from pierre_rag.knowledge.embeddings import Embedder, OpenAIEmbedder, embedder_from_env
from pierre_rag.knowledge.followup import FollowUpModel
from pierre_rag.knowledge.models import (
    DEFAULT_ACCESS,
    AccessLevel,
    Closeness,
    SearchResponse,
    SearchResult,
)
from pierre_rag.knowledge.places import PlaceExpansion
from pierre_rag.knowledge.query import QueryPlan, plan_query
from pierre_rag.knowledge.scope import ScopeTopics
from pierre_rag.knowledge.sources import visible_scopes
from pierre_rag.knowledge.text import QueryVocabulary, asking_stems, stem_all, tokens, word_count


@dataclass(frozen=True)
class SearchConfig:
    rrf_k: float = 60.0
    candidates: int = 50
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    names_weight: float = 0.5
    # BM25 weight for queries that are probably not French (few words known to the index).
    # Their unknown words are already dropped by query analysis, and what remains (acronyms,
    # French terms in parentheses) is precise: down-weighting measured worse (docs/retrieval.md).
    foreign_bm25_weight: float = 1.0
    # Without an LLM: how much a message leans on the previous user turn (knowledge.followup).
    follow_up: FollowUpModel = field(default_factory=FollowUpModel)
    # How tenants write → the knowledge's words (data/*.yaml); None: the shipped tables.
    vocabulary: QueryVocabulary | None = None
    # Places named in the question → their département and région in BM25 (None: off); on
    # since it helped out of fold and was worse on no fold (docs/retrieval.md, "Places").
    places: PlaceExpansion | None = field(default_factory=PlaceExpansion)
    # RRF share for the candidate chunks of the files the question names: a query stem that
    # titles at most ``title_prior_max_files`` files (title or file name: "alur", "visale",
    # not "logement"). Without it the file titled after a law or scheme lost to files that
    # mention it; chosen out of fold (docs/retrieval.md); 0: off.
    title_prior_weight: float = 0.25
    title_prior_max_files: int = 1
    # RRF weight of a BM25 list over the question's consecutive word pairs found within
    # ``proximity_window`` words of each other ("perdu mes clés" → "clés perdues"); 0: off.
    proximity_weight: float = 0.0
    proximity_window: int = 4
    # A word the index does not know, cut into two it writes side by side ("locapass" →
    # loca pass for LOCA-PASS); measured out of fold (docs/retrieval.md).
    compounds: bool = True
    # A question in another language also searches the French words of its tenant words
    # (data/glossary.yaml; docs/retrieval.md).
    glossary: bool = True
    # An acronym the knowledge defines ("prêt locatif intermédiaire (PLI)"), written in at most
    # this share of the chunks, also searches its words, and its words written out search it
    # (``knowledge.acronyms``); chosen out of fold (docs/retrieval.md); 0: off.
    acronym_max_share: float = 0.01
    # A stem written in more than this share of the chunks names no file, even when one title
    # alone holds it: "hlm" titles only the glossary of `knowledge/` but a tenth of its chunks
    # hold it. Measured out of fold (docs/retrieval.md); 1: off.
    title_prior_max_share: float = 0.1
    # A stem of at most this many letters names a file only through the very word its title
    # writes, singular or plural: French stemming merges short words that share nothing
    # ("loyer" and "loi", "passe" and "Loca-Pass", "mis" and "mise"). 0: any word of the stem.
    title_exact_max_stem: int = 4


# A user turn of at most this many words ("depuis deux semaines", "c'est le voisin du dessus")
# adds to the turn before it rather than setting the subject: the context reaches back over it,
# up to ``CONTEXT_TURNS`` user turns.
SHORT_TURN_WORDS = 6
CONTEXT_TURNS = 3

# A stem in at most this many chunks may name a file whatever its share of the datastore.
NAME_MIN_CHUNKS = 20

# How many of the first results the heading match (``SearchResponse.heading_idf``) reads.
HEADING_MATCH_RESULTS = 3


@dataclass(frozen=True)
class QueryRankings:
    """One query's candidates: dense (id, cosine), BM25 ids, exact-name ids."""

    dense: list[tuple[int, float]]
    bm25: list[int]
    bm25_weight: float
    names: list[int]
    scope_cosine: float = 0.0  # closest topic the assistant covers (``knowledge.scope``)
    elsewhere_cosine: float = 0.0  # closest subject it does not cover
    title_files: list[str] = field(default_factory=list)  # files named in the query
    proximity: list[int] = field(default_factory=list)  # BM25 ids of the word pairs' matches


@dataclass
class _Fused:
    score: float = 0.0
    bm25_rank: int | None = None
    dense_rank: int | None = None
    cosine: float | None = None


class KnowledgeBase:
    """A datastore plus the embedder that built it. Thread-safe for reads."""

    def __init__(
        self, datastore: Datastore, embedder: Embedder, config: SearchConfig | None = None
    ) -> None:
        # a remote embedder learns its dimension on its first call: checked at query time then
        dims = embedder.known_dims if isinstance(embedder, OpenAIEmbedder) else embedder.dims
        datastore.check_model(embedder.model_id, dims)
        self.datastore = datastore
        self.embedder = embedder
        self.config = config or SearchConfig()
        self.scope = ScopeTopics(embedder, datastore.topic_vectors)

    @classmethod
    def open(cls, path: Path, embedder: Embedder | None = None) -> KnowledgeBase:
        return cls(Datastore(path), embedder or embedder_from_env())

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        landlord: str | None = None,
        access: Sequence[AccessLevel | str] = DEFAULT_ACCESS,
    ) -> SearchResponse:
        return self.search_many([query], k=k, landlord=landlord, access=access)

    def search_with_history(
        self,
        question: str,
        history: Sequence[str | Mapping[str, str]] = (),
        *,
        k: int = 5,
        landlord: str | None = None,
        access: Sequence[AccessLevel | str] = DEFAULT_ACCESS,
    ) -> SearchResponse:
        """The message alone and with the previous user turn prepended, fused and weighted by
        how much it reads as a follow-up (``knowledge.followup``): "et pour un meublé ?"
        leans on the turn before, "odeur de gaz dans ma cuisine" does not."""
        contextual = contextual_query(question, history)
        if contextual == question or not question.strip():
            return self.search(question, k=k, landlord=landlord, access=access)
        scopes = visible_scopes(landlord, access)
        if not scopes or k <= 0:
            return SearchResponse(results=[], top_cosine=0.0, queries=[question, contextual])
        plans = [self._plan(q) for q in (question, contextual)]
        rankings = self._rankings(plans, scopes)
        alone_cosine = rankings[0].dense[0][1] if rankings[0].dense else 0.0
        found = followup.signals(question, len(plans[0].words), alone_cosine)
        model = self.config.follow_up
        alone = Closeness(
            top_cosine=alone_cosine,
            scope_cosine=rankings[0].scope_cosine,
            elsewhere_cosine=rankings[0].elsewhere_cosine,
        )
        fused = self._fused(rankings, model.weights(found), k, [question, contextual])
        return fused.model_copy(
            update={
                "alone": alone,
                "follow_up": model.probability(found),
                "heading_idf": self._heading_idf(plans[0].stems, fused.results),
                "acronyms": list(plans[0].defined),
            }
        )

    def search_many(
        self,
        queries: Sequence[str],
        *,
        k: int = 5,
        landlord: str | None = None,
        access: Sequence[AccessLevel | str] = DEFAULT_ACCESS,
    ) -> SearchResponse:
        """Several phrasings of one need, fused into one ranking (deduplicated)."""
        queries = [q.strip() for q in queries if q and q.strip()]
        scopes = visible_scopes(landlord, access)
        if not queries or not scopes or k <= 0:
            return SearchResponse(results=[], top_cosine=0.0, queries=list(queries))
        plans = [self._plan(q) for q in queries]
        rankings = self._rankings(plans, scopes)
        fused = self._fused(rankings, [1.0] * len(queries), k, queries)
        stems = [stem for plan in plans for stem in plan.stems]
        defined = list(dict.fromkeys(letters for plan in plans for letters in plan.defined))
        return fused.model_copy(
            update={"heading_idf": self._heading_idf(stems, fused.results), "acronyms": defined}
        )

    def _heading_idf(self, stems: Sequence[str], results: Sequence[SearchResult]) -> float:
        """How rare the rarest of ``stems`` that the own heading of one of the first three
        results holds is: log(chunks / its document frequency), 0 when none is. Short messages
        ("c quoi le dalo", "besoin d'une quittance") come only weakly close to any chunk for the
        dense model, while their one precise word heads the section that answers them."""
        headed = {
            stem
            for result in results[:HEADING_MATCH_RESULTS]
            for stem in stem_all(tokens(result.heading_path[-1] if result.heading_path else ""))
        }
        common = sorted((set(stems) - asking_stems()) & headed)
        frequencies = [df for df in self.datastore.doc_freqs("stem", common).values() if df > 0]
        if not frequencies:
            return 0.0
        return math.log(max(self.datastore.chunk_count(), 1) / min(frequencies))

    def _plan(self, query: str) -> QueryPlan:
        return plan_query(
            self.datastore,
            query,
            self.config.vocabulary,
            self.config.places,
            compounds=self.config.compounds,
            glossary=self.config.glossary,
            acronym_max_share=self.config.acronym_max_share,
        )

    def _rankings(self, plans: Sequence[QueryPlan], scopes: Sequence[str]) -> list[QueryRankings]:
        """Each query's dense, BM25 and exact-name rankings (one embedding call for all)."""
        cfg = self.config
        vectors = self.embedder.embed([p.dense_text for p in plans])
        out = []
        for plan, vector in zip(plans, vectors, strict=True):
            dense = self.datastore.knn(vector, self.embedder.model_id, scopes, cfg.candidates)
            bm25_weight = cfg.bm25_weight * (1.0 if plan.french else cfg.foreign_bm25_weight)
            bm25 = [cid for cid, _ in self._bm25(plan, scopes)] if bm25_weight > 0 else []
            names = self._names(plan, scopes)
            scope = self.scope.cosine(vector[None, :])
            elsewhere = self.scope.elsewhere_cosine(vector[None, :])
            titles = self._named_files(plan, scopes) if cfg.title_prior_weight > 0 else []
            proximity = (
                [cid for cid, _ in self._proximity(plan, scopes)]
                if cfg.proximity_weight > 0
                else []
            )
            out.append(
                QueryRankings(dense, bm25, bm25_weight, names, scope, elsewhere, titles, proximity)
            )
        return out

    def _fused(
        self,
        rankings: Sequence[QueryRankings],
        weights: Sequence[float],
        k: int,
        queries: list[str],
    ) -> SearchResponse:
        """Weighted reciprocal-rank fusion of the queries' rankings."""
        cfg = self.config
        fused: dict[int, _Fused] = {}
        top_cosine = 0.0
        scope_cosine = max((ranking.scope_cosine for ranking in rankings), default=0.0)
        elsewhere_cosine = max((ranking.elsewhere_cosine for ranking in rankings), default=0.0)
        for ranking, weight in zip(rankings, weights, strict=True):
            if ranking.dense:
                top_cosine = max(top_cosine, ranking.dense[0][1])
            for rank, (cid, cosine) in enumerate(ranking.dense, start=1):
                entry = fused.setdefault(cid, _Fused())
                entry.score += weight * cfg.dense_weight / (cfg.rrf_k + rank)
                entry.dense_rank = min(rank, entry.dense_rank or rank)
                entry.cosine = max(cosine, entry.cosine or cosine)
            for rank, cid in enumerate(ranking.bm25, start=1):
                entry = fused.setdefault(cid, _Fused())
                entry.score += weight * ranking.bm25_weight / (cfg.rrf_k + rank)
                entry.bm25_rank = min(rank, entry.bm25_rank or rank)
            for cid in ranking.names:
                entry = fused.setdefault(cid, _Fused())
                entry.score += weight * cfg.names_weight / (cfg.rrf_k + 1)
            for rank, cid in enumerate(ranking.proximity, start=1):
                entry = fused.setdefault(cid, _Fused())
                entry.score += weight * cfg.proximity_weight / (cfg.rrf_k + rank)
        self._add_title_prior(fused, rankings, weights)
        ranked = sorted(fused.items(), key=lambda item: -item[1].score)
        results = self._materialise(ranked, k)
        return SearchResponse(
            results=results,
            top_cosine=top_cosine,
            queries=queries,
            scope_cosine=scope_cosine,
            elsewhere_cosine=elsewhere_cosine,
        )

    def _add_title_prior(
        self,
        fused: dict[int, _Fused],
        rankings: Sequence[QueryRankings],
        weights: Sequence[float],
    ) -> None:
        """Each candidate gains the RRF share of its file's rank by title alone."""
        cfg = self.config
        bonus: dict[str, float] = {}
        for ranking, weight in zip(rankings, weights, strict=True):
            for rank, file in enumerate(ranking.title_files, start=1):
                share = weight * cfg.title_prior_weight / (cfg.rrf_k + rank)
                bonus[file] = bonus.get(file, 0.0) + share
        if not bonus:
            return
        for cid, file in self.datastore.files_of(list(fused)).items():
            fused[cid].score += bonus.get(file, 0.0)

    def _named_files(self, plan: QueryPlan, scopes: Sequence[str]) -> list[str]:
        """The files the question names: titled with all the words of an acronym it names
        ("pli" → "Prêt locatif intermédiaire"), then by a stem that titles few files."""
        spelled = [
            file
            for acronym in plan.acronyms
            for file in self.datastore.titled_with_all(stem_all(list(acronym.words)), scopes)
        ]
        # An asking word names no file, even one title alone holds it ("qui paie quoi ?"), nor
        # does a number ("5 mois" is not the zoning "au 5 septembre 2025").
        asking = asking_stems()
        naming = self._uncommon(
            [stem for stem in plan.stems if stem not in asking and not stem.isdigit()]
        )
        written: dict[str, frozenset[str]] = {}
        for word, stem in zip(plan.words, plan.stems, strict=True):
            if len(stem) <= self.config.title_exact_max_stem:
                written[stem] = written.get(stem, frozenset()) | {word}
        by_stem = self.datastore.named_files(
            naming, scopes, self.config.title_prior_max_files, exact=written
        )
        return list(dict.fromkeys([*spelled, *by_stem]))

    def _uncommon(self, stems: Sequence[str]) -> list[str]:
        """The ``stems`` written in at most ``title_prior_max_share`` of the chunks, or in at
        most ``NAME_MIN_CHUNKS`` (in a small datastore every word is in a tenth of it)."""
        if not stems:
            return []
        limit = max(
            self.config.title_prior_max_share * self.datastore.chunk_count(), NAME_MIN_CHUNKS
        )
        frequencies = self.datastore.doc_freqs("stem", list(stems))
        return [stem for stem in stems if frequencies.get(stem, 0) <= limit]

    def _bm25(self, plan: QueryPlan, scopes: Sequence[str]) -> list[tuple[int, float]]:
        return self.datastore.bm25(plan.match, scopes, self.config.candidates)

    def _proximity(self, plan: QueryPlan, scopes: Sequence[str]) -> list[tuple[int, float]]:
        match = plan.proximity_match(self.config.proximity_window)
        return self.datastore.bm25(match, scopes, self.config.candidates)

    def _names(self, plan: QueryPlan, scopes: Sequence[str]) -> list[int]:
        """Chunks of big lists naming the longest name of the query (a commune → its zone).

        A name the prose also uses ("Avignon" in an association's address) is left to BM25
        and dense: the question may well be about the prose, not the list.
        """
        hits = self.datastore.names(plan.grams, scopes)
        prose = self.datastore.doc_freqs("word", sorted({w for _, n in hits for w in n.split()}))
        hits = [(cid, name) for cid, name in hits if any(w not in prose for w in name.split())]
        if not hits:
            return []
        longest = max(len(name) for _, name in hits)
        return list(dict.fromkeys(cid for cid, name in hits if len(name) == longest))[:3]

    def _materialise(self, ranked: list[tuple[int, _Fused]], k: int) -> list[SearchResult]:
        window = [cid for cid, _ in ranked[: k * 3 + 10]]
        records = self.datastore.chunks(window)
        seen: set[str] = set()
        results: list[SearchResult] = []
        for cid, entry in ranked:
            record = records.get(cid)
            if record is None:
                if cid not in window:
                    break
                continue
            if record.chunk_hash in seen:
                continue
            seen.add(record.chunk_hash)
            results.append(_result(record, entry))
            if len(results) == k:
                break
        return results


def _result(record: ChunkRecord, entry: _Fused) -> SearchResult:
    return SearchResult(
        chunk_id=record.id,
        file=record.file,
        title=record.title,
        heading_path=record.heading_path,
        headings=record.headings,
        text=record.text,
        access=record.access,
        landlord=record.landlord,
        score=entry.score,
        bm25_rank=entry.bm25_rank,
        dense_rank=entry.dense_rank,
        cosine=entry.cosine,
    )


def contextual_query(question: str, history: Sequence[str | Mapping[str, str]]) -> str:
    """``question`` prefixed by the last user turn of ``history`` (a str is a user turn) and,
    while that turn is short and announces no change of subject, the user turn before it: "qui
    paie le traitement ?" after "j'ai des punaises de lit" then "depuis deux semaines" is
    searched with the bedbugs, not with the two weeks alone."""
    said: list[str] = []
    for turn in reversed(history):
        if isinstance(turn, str):
            content = turn
        elif turn.get("role", "user") == "user":
            content = turn.get("content", "")
        else:
            continue
        if not content.strip():
            continue
        said.insert(0, content.strip())
        if (
            len(said) == CONTEXT_TURNS
            or word_count(content) > SHORT_TURN_WORDS
            or followup.announces_change(content)
        ):
            break
    return " ".join([*said, question.strip()]) if said else question
