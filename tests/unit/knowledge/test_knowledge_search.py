from __future__ import annotations

from pierre_rag.knowledge.search import KnowledgeBase, SearchConfig, contextual_query
from pierre_rag.knowledge.text import EMPTY_VOCABULARY


def test_one_line_answer_is_found_by_its_heading(kb: KnowledgeBase) -> None:
    # given a FAQ heading whose answer is one line (folded into its parent chunk)
    # when a tenant asks in SMS style, without accents
    response = kb.search("c koi le preavis pour un logement meuble", k=3)
    # then the chunk holding that heading is in the top 3, with the answer
    holder = next(r for r in response.results if "Logement meublé" in r.headings)
    assert holder.file == "commun/quitter-son-logement.md"
    assert "Un mois." in holder.text


def test_sms_abbreviations_reach_the_right_section(kb: KnowledgeBase) -> None:
    response = kb.search("jpeux sous louer mon hlm pdt mon stage ?", k=3)
    assert response.results[0].file == "commun/aides-au-logement.md"
    assert any("Sous-louer son logement" in r.headings for r in response.results)


def test_a_typo_is_corrected_against_the_index(kb: KnowledgeBase) -> None:
    response = kb.search("apurment", k=3, landlord="pierre-habitat.fr", access=["staff"])
    assert response.results
    assert "Plan d'apurement" in response.results[0].headings


def test_exact_name_lookup_finds_a_row_of_a_big_table(kb: KnowledgeBase) -> None:
    # given a commune that appears once in a long table
    response = kb.search("j'habite a cheneviere temoin, c'est quelle zone ?", k=3)
    # then the table piece naming it comes first, even typed without accents
    assert "Chênevière-Témoin" in response.results[0].text
    exact = kb.search("Zénith-Prototype", k=1)
    assert "Zénith-Prototype" in exact.results[0].text


def test_results_carry_scores_and_the_top_cosine(kb: KnowledgeBase) -> None:
    response = kb.search("dépôt de garantie rendu après l'état des lieux", k=4)
    assert 0 < len(response.results) <= 4
    assert -1.0 <= response.top_cosine <= 1.0
    scores = [r.score for r in response.results]
    assert scores == sorted(scores, reverse=True)
    assert any(r.cosine is not None for r in response.results)
    assert response.results[0].breadcrumb.startswith(response.results[0].title)


def test_search_many_fuses_and_deduplicates(kb: KnowledgeBase) -> None:
    # given two phrasings of the same need plus a duplicate
    queries = ["préavis logement meublé", "durée du préavis meublé", "préavis logement meublé"]
    response = kb.search_many(queries, k=10)
    ids = [r.chunk_id for r in response.results]
    assert len(ids) == len(set(ids))
    assert response.results[0].file == "commun/quitter-son-logement.md"
    assert response.queries == queries


def test_follow_up_uses_the_previous_user_turn(kb: KnowledgeBase) -> None:
    history = [
        {"role": "user", "content": "Villeneuve-sur-Essai c'est quelle zone ?"},
        {"role": "assistant", "content": "Zone B1."},
    ]
    assert contextual_query("et Montfictif ?", history).startswith("Villeneuve-sur-Essai")
    response = kb.search_with_history("et Montfictif ?", history, k=3)
    assert response.results[0].file == "commun/zones-des-communes.md"


def test_contextual_query_skips_assistant_turns_and_accepts_strings() -> None:
    assert (
        contextual_query("et après ?", [{"role": "assistant", "content": "Bonjour"}])
        == "et après ?"
    )
    assert contextual_query("et après ?", ["première question"]) == "première question et après ?"
    assert contextual_query("seule", []) == "seule"


def _turns(*said: str) -> list[dict[str, str]]:
    return [
        {"role": role, "content": text}
        for text in said
        for role, text in (("user", text), ("assistant", "Réponse."))
    ]


def test_the_context_reaches_back_over_a_short_turn_that_adds_a_detail() -> None:
    history = _turns("j'ai des punaises de lit chez moi", "depuis deux semaines")

    assert contextual_query("qui paie le traitement ?", history) == (
        "j'ai des punaises de lit chez moi depuis deux semaines qui paie le traitement ?"
    )


def test_a_question_mark_set_apart_is_not_counted_as_a_word() -> None:
    # Given a six-word turn written the French way, with a space before its "?"
    history = _turns("j'ai reçu une régularisation de charges", "je peux payer en plusieurs fois ?")

    assert contextual_query("et si je conteste ?", history) == (
        "j'ai reçu une régularisation de charges je peux payer en plusieurs fois ?"
        " et si je conteste ?"
    )


def test_the_context_stops_at_a_turn_that_says_enough_or_changes_the_subject() -> None:
    long_turn = "mon voisin du dessus fait la fête tous les soirs jusqu'à trois heures"
    assert contextual_query("et alors ?", _turns("j'ai des punaises", long_turn)) == (
        f"{long_turn} et alors ?"
    )
    changed = _turns("j'ai des punaises", "sinon mon chauffage ?")
    assert contextual_query("qui répare ?", changed) == "sinon mon chauffage ? qui répare ?"


def test_the_context_reaches_back_three_user_turns_at_most() -> None:
    history = _turns("le premier sujet", "un", "deux", "trois")

    assert contextual_query("et ?", history) == "un deux trois et ?"


def test_empty_queries_or_no_visible_scope_return_nothing(kb: KnowledgeBase) -> None:
    assert kb.search_many(["  ", ""], k=5).results == []
    assert kb.search("préavis", k=5, landlord=None, access=["public"]).results == []
    assert kb.search("préavis", k=0).results == []


def test_marked_words_are_the_french_terms_and_names_of_a_foreign_question() -> None:
    from pierre_rag.knowledge.query import marked_words

    text = "My landlord mentions 'SLS'. What is the (commission de médiation) of Pierre Habitat?"
    assert marked_words(text) == {"sls", "commission", "de", "mediation", "pierre", "habitat"}
    assert marked_words("The power went out in my flat") == set()


def test_a_new_topic_is_not_pulled_towards_the_previous_turn(kb: KnowledgeBase) -> None:
    # given a conversation about a commune's zone
    history = [
        {"role": "user", "content": "Villeneuve-sur-Essai c'est quelle zone de loyer ?"},
        {"role": "assistant", "content": "Zone B1."},
    ]
    # when the landlord changes the subject
    response = kb.search_with_history("jpeux sous louer mon hlm pdt mon stage ?", history, k=3)
    # then the new subject's section comes first, and both queries were searched
    assert response.results[0].file == "commun/aides-au-logement.md"
    assert "Sous-louer son logement" in response.results[0].headings
    assert len(response.queries) == 2


def test_without_history_the_message_is_searched_alone(kb: KnowledgeBase) -> None:
    response = kb.search_with_history("durée du préavis meublé", [], k=3)
    assert response.queries == ["durée du préavis meublé"]
    assert (response.alone, response.follow_up) == (None, None)


def test_with_history_the_message_alone_keeps_its_own_closeness(kb: KnowledgeBase) -> None:
    # Given a question on the notice, then a message on another subject, then a follow-up
    history = [{"role": "user", "content": "quelle est la durée du préavis pour partir ?"}]

    # When each is searched with the turn before
    recipe = kb.search_with_history("une bonne recette de crêpes ?", history, k=3)
    follow_up = kb.search_with_history("et en meublé ?", history, k=3)

    # Then the message's own closeness is reported beside the fused one (which the turn
    # before raises), with how much it reads as a follow-up
    assert recipe.alone is not None and follow_up.alone is not None
    assert recipe.alone.top_cosine < recipe.top_cosine
    assert recipe.follow_up is not None and recipe.follow_up < 0.5
    assert follow_up.follow_up is not None and follow_up.follow_up > 0.5


def test_the_search_configuration_chooses_the_vocabulary_tables(kb: KnowledgeBase) -> None:
    # given the same datastore searched with the shipped tables and with empty ones
    bare = KnowledgeBase(kb.datastore, kb.embedder, SearchConfig(vocabulary=EMPTY_VOCABULARY))
    question = "mon proprio veut pas me rendre ma caution"

    # then only the shipped tables add the knowledge's words for the tenant's
    assert {"bailleur", "restitution"} <= set(kb._plan(question).words)
    assert not {"bailleur", "restitution"} & set(bare._plan(question).words)
    assert "bailleur" not in bare._plan(question).dense_text
