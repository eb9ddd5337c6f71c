from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.search import KnowledgeBase

QUERIES = [
    "procédure interne des impayés RELANCE-ALPHA",
    "urgence technique astreinte téléphone",
    "agence horaires adresse",
    "préavis logement meublé",
    "plan d'apurement dette",
]
LANDLORDS = [None, "pierre-habitat.fr", "autre-bailleur.fr", "inconnu.fr"]
LEVELS = [[], ["community"], ["public"], ["community", "public"], ["community", "public", "staff"]]


def test_staff_chunk_never_reaches_a_public_context(kb: KnowledgeBase) -> None:
    # given the landlord's staff-only procedure
    query = "procédure interne des impayés RELANCE-ALPHA"
    # when searched from the landlord's public context
    public = kb.search(query, k=20, landlord="pierre-habitat.fr", access=["community", "public"])
    # then no staff chunk comes back
    assert public.results
    assert all(r.access is not AccessLevel.STAFF for r in public.results)
    # while a staff context of the same landlord finds it first
    staff = kb.search(
        query, k=3, landlord="pierre-habitat.fr", access=["community", "public", "staff"]
    )
    assert staff.results[0].access is AccessLevel.STAFF
    assert "RELANCE-ALPHA" in staff.results[0].text


def test_landlord_never_sees_another_landlords_chunks(kb: KnowledgeBase) -> None:
    query = "urgence technique astreinte"
    for landlord, other in [
        ("pierre-habitat.fr", "autre-bailleur.fr"),
        ("autre-bailleur.fr", "pierre-habitat.fr"),
    ]:
        response = kb.search(
            query, k=20, landlord=landlord, access=["community", "public", "staff"]
        )
        landlords = {r.landlord for r in response.results}
        assert landlord in landlords
        assert other not in landlords


def test_community_chunks_are_visible_to_every_landlord(kb: KnowledgeBase) -> None:
    for landlord in LANDLORDS:
        response = kb.search("préavis logement meublé", k=3, landlord=landlord)
        assert response.results[0].access is AccessLevel.COMMUNITY


@settings(max_examples=60, deadline=None)
@given(
    query=st.sampled_from(QUERIES),
    landlord=st.sampled_from(LANDLORDS),
    access=st.sampled_from(LEVELS),
    k=st.integers(1, 30),
)
def test_property_results_respect_access_and_landlord(
    kb: KnowledgeBase, query: str, landlord: str | None, access: list[str], k: int
) -> None:
    response = kb.search(query, k=k, landlord=landlord, access=access)
    assert len(response.results) <= k
    for result in response.results:
        assert result.access.value in access
        if result.access is not AccessLevel.COMMUNITY:
            assert result.landlord == landlord
