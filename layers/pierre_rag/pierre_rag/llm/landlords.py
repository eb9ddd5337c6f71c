"""Each landlord's LLM client, built once at function init (chat function, SMS worker)."""

from __future__ import annotations

from collections.abc import Callable

from pierre_rag.landlord_check import LandlordProblem, llm_problem
from pierre_rag.landlords import InvalidLandlordError, LandlordConfig, LandlordRegistry
from pierre_rag.llm.factory import build_llm
from pierre_rag.llm.port import LlmClient


class LandlordLlms:
    """Each landlord's LLM client, built at function init so a provider that cannot be built
    disables its landlord (reported by health) instead of failing every turn after the
    message is stored."""

    def __init__(self, clients: dict[str, LlmClient | None]) -> None:
        self._clients = clients

    @classmethod
    def build(
        cls, registry: LandlordRegistry, read_secret: Callable[[str], str] | None
    ) -> tuple[LandlordLlms, list[LandlordProblem]]:
        clients: dict[str, LlmClient | None] = {}
        problems: list[LandlordProblem] = []
        for landlord_id in registry.ids:
            landlord = registry.get(landlord_id)
            try:
                clients[landlord_id] = build_llm(landlord.llm, read_secret)
            except Exception as error:  # any provider failure: this landlord only
                problems.append(llm_problem(landlord_id, error))
        return cls(clients), problems

    def __call__(self, landlord: LandlordConfig) -> LlmClient | None:
        if landlord.id not in self._clients:
            raise InvalidLandlordError(f"landlord {landlord.id!r} has no usable LLM provider")
        return self._clients[landlord.id]


def served_landlords(
    registry: LandlordRegistry, read_secret: Callable[[str], str] | None
) -> tuple[LandlordRegistry, LandlordLlms]:
    """The landlords a function serves and their LLM clients: ``registry`` less any landlord
    whose provider cannot be built (one of its problems, so health reports it)."""
    llms, problems = LandlordLlms.build(registry, read_secret)
    return registry.with_problems(problems), llms
