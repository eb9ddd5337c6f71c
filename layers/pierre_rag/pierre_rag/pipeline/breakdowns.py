"""A breakdown or a leak a tenant reports, so that the answer names the landlord's on-call line.

"J'ai une fuite d'eau le soir, qui appeler ?" is not an emergency (no flood, no danger: no
emergency block), and the answer's contact is the agency, closed in the evening. When the
landlord has an on-call line (``emergency.on_call_phone``), an answer to a message reporting
something broken or leaking in the home adds it after the contact, for the hours the agency is
closed. Rules on how tenants write in the eight answer languages, on the same folded text as the
emergency rules (:func:`pipeline.emergencies.normalise`); a question about who pays for a repair
or about an insurance claim reports nothing to repair tonight, so it is left out.
"""

from __future__ import annotations

import re

from pierre_rag.landlords import LandlordConfig
from pierre_rag.pipeline.emergencies import normalise
from pierre_rag.pipeline.language import fold
from pierre_rag.pipeline.messages import phrases

# Something broken, leaking or cut off in the home, in each answer language (folded text).
_BROKEN = "|".join(
    (
        # fr
        r"\bfuit\w*|\bfuites?\b|\binond\w*|\bdegats? des eaux\b|\bpannes?\b|\ben rade\b|"
        r"\b(?:ne )?(?:marche|fonctionne|chauffe) plus\b|"
        r"\b(?:plus|pas) d (?:eau|electricite)\b|"
        r"\b(?:plus|pas) de (?:chauffage|courant|lumiere|radiateur)\b|"
        r"\bcoupure\w* (?:d eau|de courant|d electricite)\b|\bdisjonct\w*|"
        r"\b(?:wc|toilettes?|evier|canalisations?) (?:est |sont )?bouche\w*|\brefoul\w*|"
        r"\bporte\b.{0,25}\b(?:bloque\w*|coince\w*|claque\w*)|\bascen[sc]eur\b.{0,25}\barret\w*",
        # en
        r"\bleak\w*|\bflood\w*|\bbroken down\b|\bnot working\b|\bdoesn t work\b|"
        r"\bno (?:heating|hot water|water|power|electricity)\b|\bpower cut\b|\bblocked toilet\b",
        # es
        r"\bfugas?\b|\bgotera\w*|\baveria\w*|\bno funciona\b|\bsin (?:calefaccion|agua|luz)\b",
        # pt
        r"\bvazament\w*|\binfiltrac\w*|\bavaria\w*|\bnao funciona\b|"
        r"\bsem (?:aquecimento|agua|luz)\b",
        # it
        r"\bperdit\w* d acqua\b|\ballag\w*|\bguast\w*|\bnon funziona\b|"
        r"\bsenza (?:riscaldamento|acqua|luce)\b",
        # de
        r"\bwasserschaden\b|\brohrbruch\b|\bundicht\w*|\bausgefallen\b|\bkaputt\b|"
        r"\bfunktioniert nicht\b|\bkein(?:e)? (?:heizung|warmwasser|wasser|strom)\b",
        # tr
        r"\bsizinti\w*|\bsu kacag\w*|\barizal\w*|\bcalismiyor\b|\bbozuldu\b|"
        r"\b(?:kalorifer|sicak su|elektrik) yok\b",
        # ar (folded as the emergency rules fold it)
        r"تسرب|تسريب|عطل|معطل|لا يعمل|انقطاع",
    )
)
# Who pays, what it costs, the insurance claim: nothing to get repaired tonight.
_NOT_TONIGHT = (
    r"\bqui (?:paie|paye|doit payer|rembourse)\b|\ba (?:ma|la) charge\b|\bfactur\w*|"
    r"\bcombien\b|\bassuran\w*|\bsinistre\b|\bwho pays\b|\binsurance\b|\bquien paga\b|"
    r"\bquem paga\b|\bchi paga\b|\bwer zahlt\b|\bkim oder\w*"
)
_BROKEN_RE = re.compile(fold(_BROKEN))
_NOT_TONIGHT_RE = re.compile(fold(_NOT_TONIGHT))


def reports_breakdown(text: str) -> bool:
    """Whether ``text`` reports something broken, leaking or cut off in the home."""
    words = normalise(text)
    return bool(_BROKEN_RE.search(words)) and not _NOT_TONIGHT_RE.search(words)


def on_call_line(text: str, landlord: LandlordConfig, language: str) -> str | None:
    """The landlord's on-call line, in ``language``, when ``text`` reports a breakdown and the
    landlord has one; None otherwise."""
    if landlord.emergency is None or not reports_breakdown(text):
        return None
    return phrases(language).on_call.format(phone=landlord.emergency.on_call_phone)
