"""infra/retrieval_cv.py: its variants and the entry groups of the audit (no corpus, no model)."""

from __future__ import annotations

import pytest
import retrieval_cv

from pierre_rag.knowledge.search import SearchConfig
from pierre_rag.knowledge.text import EMPTY_VOCABULARY, default_vocabulary


def test_every_grouped_key_is_an_entry_of_the_shipped_tables() -> None:
    # a renamed or removed entry must leave the audit's groups too, or it audits nothing
    shipped = default_vocabulary()
    keys = {*shipped.abbreviations, *(p.key for p in shipped.phrases)}

    stale = [k for group in retrieval_cv.GROUPS.values() for k in group if k not in keys]

    assert stale == []


def test_the_groups_with_other_cover_every_entry_once() -> None:
    shipped = default_vocabulary()
    grouped = [k for keys in retrieval_cv.entry_groups(shipped).values() for k in keys]

    assert sorted(grouped) == sorted([*shipped.abbreviations, *(p.key for p in shipped.phrases)])


def test_variants_start_with_the_baseline_and_drop_what_they_name() -> None:
    chosen = retrieval_cv.variants(["no_tables", "drop:proprio+rendre caution"], audit=False)

    assert list(chosen) == ["baseline", "no_tables", "drop:proprio+rendre caution"]
    assert chosen["baseline"].vocabulary is default_vocabulary()
    assert chosen["no_tables"].vocabulary is EMPTY_VOCABULARY
    dropped = chosen["drop:proprio+rendre caution"].vocabulary
    assert dropped is not None
    assert "proprio" not in dropped.abbreviations and "proprios" in dropped.abbreviations
    assert "rendre caution" not in {p.key for p in dropped.phrases}
    assert len(dropped.phrases) == len(default_vocabulary().phrases) - 1


def test_a_setting_variant_sets_the_fields_it_names_and_leaves_the_others() -> None:
    chosen = retrieval_cv.variants(["title_prior_weight=0.5&title_prior_max_files=2"], audit=False)

    config = chosen["title_prior_weight=0.5&title_prior_max_files=2"]
    assert (config.title_prior_weight, config.title_prior_max_files) == (0.5, 2)
    alone = retrieval_cv.variants(["title_prior_weight=0"], audit=False)["title_prior_weight=0"]
    assert alone.title_prior_max_files == SearchConfig().title_prior_max_files
    assert chosen["baseline"] == SearchConfig(vocabulary=chosen["baseline"].vocabulary)


def test_the_fusion_settings_are_variants_too() -> None:
    name = "rrf_k=30&bm25_weight=1.25&dense_weight=0.8&names_weight=1"

    config = retrieval_cv.variants([name], audit=False)[name]

    assert (config.rrf_k, config.bm25_weight, config.dense_weight, config.names_weight) == (
        30.0,
        1.25,
        0.8,
        1.0,
    )
    assert config.vocabulary is default_vocabulary()


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(SystemExit, match="unknown setting"):
        retrieval_cv.variants(["candidates=20"], audit=False)
    with pytest.raises(SystemExit, match="unknown setting"):
        retrieval_cv.variants(["title_prior_weight="], audit=False)
    with pytest.raises(SystemExit, match="not a number"):
        retrieval_cv.variants(["rrf_k=sixty"], audit=False)


def test_the_audit_adds_one_variant_per_group() -> None:
    chosen = retrieval_cv.variants([], audit=True)

    groups = retrieval_cv.entry_groups(default_vocabulary())
    assert {f"without:{g}" for g in groups} <= set(chosen)


def test_an_unknown_variant_is_refused_with_the_known_names() -> None:
    with pytest.raises(SystemExit, match="unknown variant"):
        retrieval_cv.variants(["no_such_thing"], audit=False)
