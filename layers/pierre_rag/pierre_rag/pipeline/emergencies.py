"""Emergency intents in a tenant's message: rules on how people write when something is wrong.

Rules, not the LLM nor retrieval: they run on every message, before anything else can fail,
and the same message always gets the same verdict. A rule matches the folded text (lower case,
no accents, punctuation as spaces, so SMS spellings such as "ca sent le gaz" match too) unless
its ``unless`` pattern matches: that is how look-alikes stay out ("le détecteur de fumée bipe,
pile faible ?", "fuite du robinet", "ascenseur en panne" with no one inside). Each rule names
the language it is written for, which tells the block's language when the language guess has
nothing better than its French default. Measured by ``infra/bench_emergencies.py`` on
``tests/bench/emergencies.jsonl``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pierre_rag.pipeline.language import fold


class Emergency(StrEnum):
    """In the order their instructions are given when a message has several."""

    GAS = "gas"
    FIRE = "fire"
    CARBON_MONOXIDE = "carbon_monoxide"
    ELECTRICITY = "electricity"
    WATER = "water"
    LIFT = "lift"
    VIOLENCE = "violence"
    DANGER = "danger"


@dataclass(frozen=True)
class Detection:
    intents: tuple[Emergency, ...] = ()
    languages: tuple[str, ...] = ()  # of the rules that matched, first match first

    def __bool__(self) -> bool:
        return bool(self.intents)


@dataclass(frozen=True)
class _Rule:
    intent: Emergency
    language: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None


def _near(a: str, b: str, gap: int = 40) -> str:
    """``a`` and ``b`` in either order, at most ``gap`` characters apart."""
    return rf"(?:{a}).{{0,{gap}}}(?:{b})|(?:{b}).{{0,{gap}}}(?:{a})"


# Smoke words are weak: a smoke detector that beeps for its battery is not a fire.
_DETECTOR_CHORE = _near(
    r"detecteur|detector|rilevatore|rauchmelder|melder|alarm\w*",
    r"\bpile|batter\w*|bip\w*|beep\w*|chirp\w*|piep\w*|chang\w*|remplac\w*|install\w*|paie|pays|"
    r"quand je cuisine|en cuisinant|when i cook|while cooking",
    60,
)
# Smoke from someone smoking or a barbecue is a neighbour problem, not a fire.
_SMOKING = (
    r"cigarett\w*|\btabac\w*|\bfumeurs?\b|\bshit\b|cannabis|\bjoints?\b|chicha|barbecue|"
    r"\bweed\b|\bsmokes?\b.{0,20}\b(?:weed|cigar\w*)|\btabaco\b|cigarro\w*|sigara\w*|"
    r"zigarett\w*|sigarett\w*"
)
_NOT_A_FIRE = _DETECTOR_CHORE + "|" + _SMOKING
_ELECTRIC_THING = r"\bprises?\b|\bcompteur|\btableau|\bsocket|\bplug\b|\bsteckdose|\bpresa\b"
# "personne coincé" without an article is "nobody stuck"; "une personne coincée" is someone.
_NOBODY_STUCK = r"(?<!une )(?<!la )\bpersonne (?:n est |n y est )?(?:coince|bloque|enferme)"
_STUCK_FR = r"\b(?:bloque|coince|enferme|chui coince|suis coince)\w*"
_LIFT_FR = r"(?:\bascen[sc]eur\b|\basc\b)"
# Someone who "no longer answers" is in danger when they fell, not when the agency is silent.
_FALLEN_FR = (
    r"\btombe\w*|par terre|\bchute\b|\bsol\b|\ballonge\w*|\binanime\w*|\bgemi\w*|\bgemir\b|"
    r"\bsaign\w*|\bsang\b"
)
# A fuel-burning appliance: with a symptom, carbon monoxide even when no one names it.
_BURNER_FR = (
    r"\bchaudiere|\bchauffe ?(?:eau|bain)|\bpoele\b|\bbrasero|\bchauffage (?:d appoint|au "
    r"(?:petrole|gaz|fioul))|groupe electrogene|\bcheminee|\bpetrole\b"
)
_CO_SYMPTOM_FR = (
    r"mal (?:a|de) (?:la )?tete|maux de tete|\bvomi\w*|vertige\w*|\bnause\w*|somnolen\w*|"
    r"\bevanoui\w*|\bmalaises?\b|\betourdi\w*|perdu connaissance|dans les pommes"
)
_CO_SIGN = (
    r"\bsonn\w*|\balarm\w*|\bbip\w*|\bintox\w*|poison\w*|envenen\w*|avvelen\w*|vergift\w*|"
    r"zehirlen\w*|mal (?:a|de) (?:la )?tete|maux de tete|vomi\w*|headache|dolor de cabeza|"
    r"dor de cabeca|mal di testa|kopfschmerz\w*|bas agri\w*|schwindel\w*|dizzy|vertige\w*|nause\w*|"
    r"\bsuena\b|\btoca\b|\bsuona\b|\bpiept\b|\bcaliyor\b|going off|يرن|انذار"
)
_CO_WORDS = {
    "fr": r"monoxyde|\bco\b",
    "en": r"carbon monoxide",
    "es": r"monoxido",
    "pt": r"monoxido",
    "it": r"monossido",
    "de": r"kohlenmonoxid|\bco melder",
    "tr": r"karbon ?monoksit",
    "ar": r"اول اكسيد الكربون",
}
_PAST_CLAIM = (
    r"\bdernier\w*|\bpasse\b|\bdeclar\w*|\bassurance|\bsinistre|last (?:week|month|year)|"
    r"\binsurance"
)

_RULES_SOURCE: tuple[tuple[Emergency, str, str, str | None], ...] = (
    # ---- gas: a smell or a leak of gas, never a bill or a boiler service
    (
        Emergency.GAS,
        "fr",
        r"(?:odeur|\bsen[st]\b(?! que)|\bsentir|\bpue|\bsenti)\w*.{0,25}\bgaz\b",
        r"\bfactur\w*|\bprix\b|\btarif\w*|\bcher\b|\babonnement|\bfournisseur",
    ),
    (Emergency.GAS, "fr", r"\bfuite\w* (?:de |du )?gaz\b|\bgaz\b.{0,20}\bfui\w*", None),
    (Emergency.GAS, "en", r"\bsmel\w*.{0,25}\bgas\b|\bgas (?:leak|smell)", None),
    (Emergency.GAS, "es", r"huele a gas|olor(?: \w+){0,3} a gas|fuga de gas|escape de gas", None),
    (Emergency.GAS, "pt", r"cheira a gas|cheiro (?:a|de) gas|fuga de gas|vazamento de gas", None),
    (Emergency.GAS, "it", r"odore di gas|puzza di gas|fuga di gas", None),
    (Emergency.GAS, "de", r"riecht nach gas|gasgeruch|gasleck|gas ?austritt", None),
    (Emergency.GAS, "tr", r"gaz koku\w*|gaz kacag\w*|gaz kacak", None),
    (Emergency.GAS, "ar", r"رائحه (?:ال)?غاز|رائحة (?:ال)?غاز|تسرب (?:ال)?غاز", None),
    # ---- fire or smoke
    (
        Emergency.FIRE,
        "fr",
        r"\b(?:il )?y ?a (?:le|un|du) feu\b|\bau feu\b|\ben feu\b|\bincendie\b|"
        r"\bla \w+ brule\b|\bflammes?\b|\ble feu a pris|\bprend feu\b|"
        r"\ben train de (?:bruler|cramer|flamber)\b|\b(?:le|les|l) \w+ (?:brule|crame)(?:nt)?\b|"
        r"\bfeu (?:dans|au|a la|chez)\b",
        r"\bassur\w*|\bgarantie|\bcouvr\w*",
    ),
    (Emergency.FIRE, "fr", r"\bpris feu\b", _ELECTRIC_THING),
    (Emergency.FIRE, "fr", r"(?<!detecteur de )(?<!detecteurs de )\bfumee\b", _NOT_A_FIRE),
    (Emergency.FIRE, "en", r"\bfire\b|\bburning\b", r"fire ?alarm test|\binsur\w*|\bcover\w*"),
    (Emergency.FIRE, "en", r"\bsmoke\b(?! ?(?:detector|alarm))", _NOT_A_FIRE),
    (Emergency.FIRE, "es", r"\bincendio\b|\bfuego\b|(?<!detector de )\bhumo\b", _NOT_A_FIRE),
    (
        Emergency.FIRE,
        "pt",
        r"\bincendio\b|\bfogo\b|(?<!detetor de )(?<!detector de )\bfumo\b|\bfumaca\b",
        _NOT_A_FIRE,
    ),
    (
        Emergency.FIRE,
        "it",
        r"\bincendio\b|\bfuoco\b|(?<!rilevatore di )\bfumo\b",
        _NOT_A_FIRE,
    ),
    (Emergency.FIRE, "de", r"\bbrennt\b|\bfeuer\b|\brauch\b|\bbrand\b", _NOT_A_FIRE),
    (Emergency.FIRE, "tr", r"\byangin\w*|\bduman\w*", None),
    (Emergency.FIRE, "ar", r"حريق|دخان|\bالنار\b|\bنار\b", None),
    # ---- carbon monoxide: the gas named with an alarm or a symptom (not a purchase)
    *(
        (Emergency.CARBON_MONOXIDE, language, _near(word, _CO_SIGN, 100), None)
        for language, word in _CO_WORDS.items()
    ),
    (Emergency.CARBON_MONOXIDE, "fr", _near(_BURNER_FR, _CO_SYMPTOM_FR, 100), None),
    (
        Emergency.CARBON_MONOXIDE,
        "en",
        _near(
            r"\bboiler|water heater|\bheater\b|\bstove\b|gas fire|generator",
            r"headache|\bdizzy|\bnause\w*|\bvomit\w*|\bfaint\w*|passed out",
            100,
        ),
        None,
    ),
    # ---- electrical danger
    (
        Emergency.ELECTRICITY,
        "fr",
        r"etincel\w*|\bfils? (?:electriques? )?denude\w*|\bcoup de jus|electrocut\w*|"
        r"\bcables? (?:electriques? )?arrache\w*|"
        + _near(r"\bcables?\b|\bfils?\b", r"\ba nu\b|denude\w*", 40)
        + "|"
        + _near(_ELECTRIC_THING + r"|electri\w*", r"\bfume\b|\bbrule\b|pris feu|crame|fondu", 30),
        None,
    ),
    (
        Emergency.ELECTRICITY,
        "en",
        r"\bsparks?\b|\bsparking\b|(?:live|exposed|bare) wires?|electric shock|electrocut\w*",
        None,
    ),
    (Emergency.ELECTRICITY, "es", r"chispas?\b|descarga electrica|cables? pelados?", None),
    (Emergency.ELECTRICITY, "pt", r"faiscas?\b|choque eletrico|fios? descarnados?", None),
    (Emergency.ELECTRICITY, "it", r"scintill\w*|\bscossa\b|fili scoperti", None),
    (Emergency.ELECTRICITY, "de", r"\bfunken\b|stromschlag|blanke? (?:kabel|leitung|draht)", None),
    (Emergency.ELECTRICITY, "tr", r"kivilcim\w*|elektrik carp\w*", None),
    (Emergency.ELECTRICITY, "ar", r"شرار|صعق|ماس كهربائي", None),
    # ---- a major leak or a flood (not a dripping tap, not last month's claim)
    (
        Emergency.WATER,
        "fr",
        r"\binond\w*|\bcoule\w* (?:du|par le|a travers le|depuis le) plafond|"
        r"\beau (?:passe |coule )?(?:a travers|par|du) (?:le )?plafond|\beau partout|"
        r"(?:tuyau|canalisation|conduite)\w* .{0,12}(?:eclate|pete|creve|explose)\w*|"
        r"\bgrosse fuite|\bfuite\w* (?:d eau )?(?:enorme|importante|grave)|"
        r"(?:enorme|importante) fuite|\ba flots?\b|\bl eau monte\b|"
        r"^(?=.*\b(?:eau|fuite\w*|infiltr\w*|degats?)\b).*\bplafond\w*.{0,40}"
        r"(?:effondr|ecroul|\bcede|tombe)\w*|"
        r"(?:salle de bain|cuisine|appart\w*|logement|cave|chambre|salon|sol) (?:est |sont )?"
        r"(?:completement |tout |toute )?sous l eau",
        r"quand il pleut|chaque (?:pluie|orage)|chaque fois qu il pleut",
    ),
    (Emergency.WATER, "fr", r"\bdegats? des eaux\b", _PAST_CLAIM),
    (
        Emergency.WATER,
        "en",
        r"\bflood\w*|pouring|\bburst\b|water everywhere|water .{0,20}through .{0,10}ceiling",
        _PAST_CLAIM,
    ),
    (Emergency.WATER, "es", r"\binund\w*|agua del techo|revent\w*|agua por todas partes", None),
    (Emergency.WATER, "pt", r"\binund\w*|rebent\w*|agua por todo o lado|agua do teto", None),
    (Emergency.WATER, "it", r"\ballag\w*|scoppiat\w*|acqua (?:dappertutto|ovunque)", None),
    (
        Emergency.WATER,
        "de",
        r"uberschwemm\w*|rohrbruch|uberall wasser|wasser .{0,20}decke|\bunter wasser|"
        r"\brohr\w* .{0,30}geplatzt",
        None,
    ),
    (Emergency.WATER, "tr", r"\bsu bas\w*|boru patla\w*|tavandan su", None),
    (Emergency.WATER, "ar", r"فيضان|غارقه|غارقة|يتسرب من السقف|الماء في كل مكان", None),
    # ---- someone stuck in a lift (a lift out of order with no one inside is no emergency)
    (
        Emergency.LIFT,
        "fr",
        _near(_STUCK_FR, _LIFT_FR),
        _NOBODY_STUCK + r"|\bascen[sc]eur (?:est |reste )?(?:bloque|coince)",
    ),
    (
        Emergency.LIFT,
        "fr",
        _LIFT_FR + r".{0,40}\b(?:avec|et) \w+ \w*.{0,20}\b(?:dedans|a l interieur)",
        None,
    ),
    (Emergency.LIFT, "en", _near(r"\bstuck\b|\btrapped\b", r"\blift\b|\belevator\b"), None),
    (Emergency.LIFT, "es", _near(r"atrapad\w*|encerrad\w*|bloquead\w*", r"ascensor"), None),
    (Emergency.LIFT, "pt", _near(r"\bpres[oa]s?\b|bloquead\w*", r"elevador"), None),
    (Emergency.LIFT, "it", _near(r"bloccat\w*|intrappolat\w*|chius[oi]", r"ascensore"), None),
    (
        Emergency.LIFT,
        "de",
        r"steck\w* (?:im|in einem) (?:aufzug|fahrstuhl|lift) fest|"
        + _near(r"eingesperrt|eingeschlossen|festgesteckt", r"aufzug|fahrstuhl|\blift"),
        None,
    ),
    (Emergency.LIFT, "tr", r"asansorde (?:mahsur|kald\w*|sikis\w*)", None),
    (Emergency.LIFT, "ar", _near(r"عالق|محتجز|محبوس", r"المصعد|مصعد"), None),
    # ---- domestic violence
    (
        Emergency.VIOLENCE,
        "fr",
        r"\b(?:me|m) (?:frappe|bat|tape|cogne|etrangle|brutalise)\w*|\btape dessus|"
        r"\bviolences? (?:conjugale|domestique|familiale|intrafamiliale)\w*|"
        r"menace\w* de (?:me|nous|la|le|les) tuer|des cris et des coups|"
        r"\b(?:frappe|bat) (?:sa|ma) (?:femme|compagne|copine|fille|mere)|"
        r"\bse fai\w* (?:frapper|battre|taper|tabasser)|\bvictimes? de violences?\b|"
        r"\bviolences? (?:de|du) (?:mon|ma|son|sa) (?:mari|conjoint|compagn\w*|copain|ex)\b|"
        r"\b(?:frappee?s?|battue?s?) par (?:son|sa|mon|ma) \w+|"
        r"\bmenace\w* (?:avec|d) (?:un|une) (?:couteau|arme|pistolet|fusil|hache|batte|marteau)|"
        r"menaces? de mort|\bgifl\w*|"
        r"\b(?:m|nous|l) a (?:frappe|battu|cogne|etrangle|tabasse|brutalise|tape)\w*|"
        r"\b(?:la|les|le|nous) (?:frapp\w*|bat\b|battu\w*|cogne\w*|etrangl\w*|tabass\w*)|"
        r"\b(?:frapp\w*|bat|cogne\w*|tabass\w*) (?:ses|leurs?|son|sa) "
        r"(?:femme|compagne|copine|enfants?|fille|fils|mere|gosses?|petits?)\b",
        None,
    ),
    (
        Emergency.VIOLENCE,
        "en",
        r"\b(?:beats|hits|hit|hurts|abuses|chokes) me\b|domestic (?:violence|abuse)|"
        r"threaten\w* to kill",
        None,
    ),
    (
        Emergency.VIOLENCE,
        "es",
        r"\bme (?:pega|golpea|maltrata)\b|violencia (?:de genero|domestica|machista)",
        None,
    ),
    (
        Emergency.VIOLENCE,
        "pt",
        r"\bbate me\b|\bme bate\b|agride me|violencia domestica",
        None,
    ),
    (Emergency.VIOLENCE, "it", r"\bmi (?:picchia|maltratta)\w*|violenza domestica", None),
    (Emergency.VIOLENCE, "de", r"schlagt mich|schlaegt mich|hausliche gewalt", None),
    (Emergency.VIOLENCE, "tr", r"\bbeni dov\w*|aile ici siddet", None),
    (Emergency.VIOLENCE, "ar", r"يضربني|عنف (?:ال)?اسري|عنف (?:ال)?منزلي", None),
    # ---- a person in danger: unconscious, fallen, suicidal, armed threat, a call for help
    (
        Emergency.DANGER,
        "fr",
        r"\binconscient\w*|\bne respire plus|peu[tx] plus (?:se|me) relever|"
        + _near(r"\bne repond plus|\bne reagit (?:plus|pas)\b", _FALLEN_FR)
        + r"|\b(?:fait|fai[st]|eu|a eu) un malaise|"
        r"\b(?:veux|vais|envie de) (?:mourir|me tuer|en finir)|\bsuicid\w*|"
        r"menace\w* de (?:sauter|se jeter|se defenestrer)|\bse jeter (?:du|par la|d un|de la) "
        r"(?:balcon|fenetre|pont|toit)|\bsaigne\w* (?:beaucoup|abondamment|enormement|de partout)|"
        r"perd beaucoup de sang|\bhemorragi\w*|"
        + _near(
            r"\b(?:enfant|bebe|petit|gamin|fillette|garcon)\w*",
            r"\brebord\b|\benjamb\w*|"
            r"\bescalad\w* (?:le|la) (?:balcon|rambarde|garde corps|fenetre)",
            40,
        )
        + r"|\b(?:homme|personne|individu|mec) arme\b|\bau secours\b|"
        r"\baidez ?moi vite\b|\burgence vitale\b|\bne bouge plus\b|"
        r"\btombe\w* (?:du|d un|de la) (?:balcon|fenetre|toit)|\bfoutre en l air|"
        r"plus envie de vivre",
        None,
    ),
    (
        Emergency.DANGER,
        "en",
        r"\bunconscious\b|not breathing|\bcollapsed\b|kill myself|\bsuicid\w*|end my life|"
        r"\bhelp\b.{0,30}\bemergency\b",
        None,
    ),
    (
        Emergency.DANGER,
        "es",
        _near(r"no responde", r"caid[oa]|se cayo|suelo") + r"|inconsciente|no respira|suicid\w*",
        None,
    ),
    (Emergency.DANGER, "pt", r"inconsciente|nao respira|suicid\w*|desmai\w*", None),
    (Emergency.DANGER, "it", r"svenut\w*|non respira|suicid\w*|privo di sensi", None),
    (Emergency.DANGER, "de", r"bewusstlos|atmet nicht|umbringen|suizid|selbstmord", None),
    (Emergency.DANGER, "tr", r"bilinci kapal\w*|nefes almiyor|intihar", None),
    (Emergency.DANGER, "ar", r"فاقد للوعي|فاقده للوعي|فاقدة للوعي|انتحر|انتحار|لا يتنفس", None),
    # ---- Ukrainian and Russian: not UI languages, but many tenants write them; the block
    # is in theirs (pipeline.safety)
    (Emergency.GAS, "uk", r"\bпахн\w* газ\w*|\bзапах\w* газ\w*|\bвит[іи]к\w* газ\w*", None),
    (Emergency.GAS, "ru", r"\bпахнет газ\w*|\bзапах\w* газ\w*|\bутечк\w* газ\w*", None),
    (
        Emergency.FIRE,
        "uk",
        r"\bпожеж\w*|\bгорить\b|\bвогонь\b|\bвогню\b|\bдим\b|\bдиму\b|\bдимом\b",
        r"\bдатчик\w* диму|\bстрахов\w*",
    ),
    (
        Emergency.FIRE,
        "ru",
        r"\bпожар\b|\bпожара\b|\bгорит\b|\bогонь\b|\bдым\b|\bдыма\b|\bдымом\b",
        r"\bдатчик\w* дыма|\bстрахов\w*",
    ),
    (Emergency.CARBON_MONOXIDE, "uk", r"\bчадн\w* газ\w*|\bчадом\b", None),
    (Emergency.CARBON_MONOXIDE, "ru", r"\bугарн\w* газ\w*|\bугар\b", None),
    (
        Emergency.ELECTRICITY,
        "uk",
        r"\bіскр\w*|\bб є струмом|\bб ють струмом|\bвдарил\w* струм\w*|\bудар\w* струм\w*",
        None,
    ),
    (Emergency.ELECTRICITY, "ru", r"\bиск\w*|\bбьет током|\bударил\w* током|\bудар\w* тока", None),
    (
        Emergency.WATER,
        "uk",
        r"\bзатоп\w*|\bпотоп\b|\bзаливає\w*|\bзалива\w* сусід\w*|\bпрорвал\w* труб\w*",
        None,
    ),
    (Emergency.WATER, "ru", r"\bзатопил\w*|\bпотоп\b|\bзаливает\b|\bпрорвал\w* труб\w*", None),
    (Emergency.LIFT, "uk", _near(r"\bліфт\w*", r"\bзастря\w*|\bзаблок\w*"), None),
    (Emergency.LIFT, "ru", _near(r"\bлифт\w*", r"\bзастрял\w*|\bзаблокир\w*"), None),
    (
        Emergency.VIOLENCE,
        "uk",
        r"\bб є мене\b|\bб ють мене\b|\bбив мене\b|\bпогрожу\w* вбити|"
        r"\bдомашн\w* насильств\w*",
        None,
    ),
    (
        Emergency.VIOLENCE,
        "ru",
        r"\bбьет меня\b|\bизбива\w*|\bугрожа\w* убить|\bдомашн\w* насили\w*",
        None,
    ),
    (
        Emergency.DANGER,
        "uk",
        r"\bбез свідомості\b|\bне дихає\b|\bсамогубств\w*|\bпокінчити з собою",
        None,
    ),
    (
        Emergency.DANGER,
        "ru",
        r"\bбез сознания\b|\bне дышит\b|\bсамоубийств\w*|\bпокончить с собой",
        None,
    ),
)


def normalise(text: str) -> str:
    """Lower case, no accents, letters and digits only, single spaces (both text and rules)."""
    folded = fold(text).replace("ı", "i").replace("ß", "ss")
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def _compile(pattern: str) -> re.Pattern[str]:
    # Rules are written like the text they match: folded (Arabic hamzas dropped, as in text).
    return re.compile(fold(pattern))


_RULES: tuple[_Rule, ...] = tuple(
    _Rule(intent, language, _compile(pattern), _compile(unless) if unless else None)
    for intent, language, pattern, unless in _RULES_SOURCE
)


def detect_emergencies(text: str) -> Detection:
    """The emergency intents ``text`` expresses (none for most messages)."""
    words = normalise(text)
    intents: set[Emergency] = set()
    languages: list[str] = []
    for rule in _RULES:
        if not rule.pattern.search(words):
            continue
        if rule.unless is not None and rule.unless.search(words):
            continue
        intents.add(rule.intent)
        if rule.language not in languages:
            languages.append(rule.language)
    ordered = tuple(intent for intent in Emergency if intent in intents)
    return Detection(ordered, tuple(languages))
