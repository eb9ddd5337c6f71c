"""Housing matters named in any of the languages tenants write in."""

from __future__ import annotations

import pytest

from pierre_rag.pipeline.scope import names_housing_matter


@pytest.mark.parametrize(
    "text",
    [
        "ya des cafards partout",
        "les murs sont humides",
        "mon proprio répond pas",
        "I have bedbugs in my flat",
        "hay moho en el baño",
        "tenho baratas em casa",
        "c'è muffa sul soffitto",
        "Schimmel im Schlafzimmer",
        "kalorifer çalışmıyor",
        "تسرب المياه في الحمام",
        "Немає опалення",
        "Сосед шумит, в квартире плесень",
        "Засмічена раковина на кухні",
        "не працює унітаз",
        "انقطع الماء الساخن",
        "السخان لا يعمل",
        "salam, ma khlasstch lkra had chhar",
        "kayna rtouba bzaf f lbit",
        "la grille d'aération est bouchée",
        "l'antenne de l'immeuble ne capte plus",
        "ils vont m'expulser ?",
        "ça veut dire quoi ESH",
        "c'est quoi la cotation",
        "un plan d'apurement",
    ],
)
def test_housing_words_in_every_language_are_recognised(text: str) -> None:
    # given a message naming the home, the building or a repair
    # when it is checked
    # then it names a housing matter
    assert names_housing_matter(text)


@pytest.mark.parametrize(
    "text",
    [
        "qui a gagné le match hier soir",
        "c'est quoi la recette de la tarte aux pommes maison",
        "comment réparer la chaîne de mon vélo",
        "c'est qui le président des États-Unis",
        "la garantie de mon téléphone",
        "wie backe ich einen Apfelkuchen?",
        "c'est quand la rentrée scolaire",
        "une recette de pesto maison",
        "qui a gagné le grand prix de F1",
        "¿cuál es su nombre?",
        "mon assurance auto est trop chère",
        "cosa fare a Roma",
        "كيف أطبخ الكسكس؟",
        "ما هي أسماء الكواكب",
        "je fais du krav maga le mardi",
        "",
    ],
)
def test_everyday_words_that_are_not_about_housing_are_not(text: str) -> None:
    # given a message about something else, some with words housing also uses
    # when it is checked
    # then it names no housing matter
    assert not names_housing_matter(text)
