"""Does a message name a housing matter? Multilingual word stems, for the local gate.

Without an LLM, scope was read from the search alone: a message was off-topic when no section
of the knowledge came close. That refuses every housing question the knowledge does not cover
yet, or covers in words far from the tenant's (bed bugs, mould, an Arabic water leak). A
message that names a housing matter — the home, the lease, rent and charges, repairs, damp,
pests, the building, the neighbours — is in scope whatever the search finds; when nothing
answers it, the tenant is told so and given the landlord's contact instead of a refusal.

Stems are matched at the start of accent-folded words (``cafard`` matches "cafards"); short or
common ones only as whole words. Words that are as often about something else ("maison" in a
recipe, "réparer" a bike, "cuisine") are left out on purpose: the search still lets those
through when the knowledge answers them. ``infra/bench_gate.py`` measures both directions.
"""

from __future__ import annotations

import re

from pierre_rag.pipeline.language import fold

# Matched as the start of a word. None is a word of another language or a common prefix of
# one ("rent" is in "rentrée", "pest" in "pesto", "fare" is Italian), nor as often about
# something else ("assurance" of a car, "casero" homemade, "blocked" on a phone).
_STEMS = frozenset(
    """
    logement loger habiter habite pavillon demenag emmenag appart studio residence immeuble
    batiment hlm locatai bailleur proprietaire agence proprio loyer baux quittance preavis
    caution attribution dalo caleol mutation echange charges regularisation chauffag chaudiere
    radiateur fuite degat infiltration plomberie robinet canalisation humid moisi moisissure
    condensation salpetre cafard blatte punaise souris rongeur nuisible guepe frelon voisin
    voisinage tapage ascenseur interphone digicode badge gardien concierge parabole parking cave
    palier escalier vitre fenetre plafond serrure encombrant poubelle ordure habitation
    expuls impaye surendettement visale locapass sous-location souslou colocation heberg
    cotation surloyer apurement
    toiture gouttiere evier lavabo douche baignoire toilette canalis disjoncteur electricite
    compteur ventilation vmc fourmi puces insecte pigeon moquette plancher volet platre fissure
    housing landlord tenancy lease renting apartment deposit heating boiler radiator leak
    leaking damp mould mold cockroach roach bedbug mice mouse rodent neighbour neighbor
    caretaker elevator intercom plumbing shower toilet sink roof ceiling electricity fleas ants
    insect ventilation basement shutter plaster vivienda alquiler arrendador inquilino piso
    calefaccion fuga gotera humedad moho cucaracha chinche raton vecino fianza desahucio techo
    fregadero atascad hormiga ducha ventana puerta persiana sotano habitacao moradia aluguel
    senhorio inquilino aquecimento infiltracao humidade umidade bolor mofo barata percevejo rato
    vizinho caucao despejo teto entupid formiga chuveiro janela estore alloggio affitto locatore
    inquilino riscaldamento umidita muffa scarafaggi scarafaggio cimici vicino condominio
    cauzione sfratto disinfestazione soffitto lavandino intasat formiche doccia finestra
    tapparella intonaco cantina wohnung miete vermieter mieter sozialwohnung heizung
    wasserschaden feucht schimmel kakerlake kakerlaken bettwanze bettwanzen mause ratten nachbar
    kaution kammerjager spulbecken verstopft ameise dusche fenster rolladen keller konut kira
    kiraci kalorifer petek sizinti kuf hamambocegi tahtakurusu komsu depozito tahliye tavan
    tikan karinca lavabo pencere panjur bodrum squatt aeration antenne carrelage tapisserie
    lino thermostat convecteur cumulus interrupteur balcon huissier egout
    """.split()
)
# Matched as whole words only (short, or a prefix of unrelated words). The line before last is
# Darija as many Maghrebi tenants text it, in Latin letters with digits: rent, damp,
# neighbours; the last, the acronyms of social housing that the project's glossary explains.
_WORDS = frozenset(
    """
    apl caf bail cle cles eau gaz rat rats mur murs porte t1 t2 t3 t4 t5 f2 f3 f4 toit wc hall
    window door floor rent flat water gas rats wall walls agua gas piso pared paredes ratas
    llave llaves agua casa renda gas parede paredes ratos chave casa gas muro muri acqua bagno
    chiave gas wasser wand schlussel ev gaz duvar anahtar lift nem topi chauffe-eau pest pests
    kra lkra rtouba rtoba rto9a rtou9a jiran
    esh oph nur plai sls rls fsl ccapex sru adil anil crous cnous
    """.split()
)
# Arabic and Cyrillic stems and phrases, matched anywhere (articles and endings are attached);
# none as short as two letters ("بق" is in "طبق", a dish).
_INFIXES = (
    "السكن",  # housing
    "سكن اجتماعي",  # social housing
    "أسكن",  # I live
    "اسكن",  # I live
    "نسكن",  # we live
    "شقة",  # flat
    "شقت",  # my flat (شقتي)
    "إيجار",  # rent
    "ايجار",  # rent
    "المالك",  # the landlord
    "تسرب",  # leak
    "مياه",  # water
    "الماء الساخن",  # the hot water
    "ماء ساخن",  # hot water
    "سخان",  # water heater
    "حنفية",  # tap
    "مرحاض",  # toilet
    "كراء",  # rent (Maghreb)
    "إخلاء",  # eviction
    "عفن",  # mould
    "رطوب",  # damp
    "صرصور",  # cockroach
    "صراصير",  # cockroaches
    "بق الفراش",  # bed bugs
    "فئران",  # mice
    "جيران",  # neighbours
    "تدفئة",  # heating
    "مصعد",  # lift
    "سقف",  # ceiling, roof
    "مغسلة",  # sink
    "مسدود",  # blocked
    "نمل",  # ants
    "حشرات",  # insects
    "كهرباء",  # electricity
    "جدار",  # wall
    "جدران",  # walls
    "نافذة",  # window
    "شباك",  # window
    "قبو",  # cellar
    "квартир",  # flat (uk, ru)
    "раковин",  # sink (uk, ru)
    "засміч",  # blocked (uk)
    "засміти",  # got blocked (uk)
    "засор",  # blocked (ru)
    "унітаз",  # toilet (uk, ru)
    "каналізац",  # sewer (uk, ru)
    "комуналь",  # utilities, charges (uk, ru)
    "виселен",  # eviction (uk)
    "выселен",  # eviction (ru)
    "житл",  # housing (uk)
    "жиль",  # housing (ru)
    "оренд",  # rent (uk)
    "аренд",  # rent (ru)
    "опален",  # heating (uk)
    "отоплен",  # heating (ru)
    "протіка",  # leaking (uk)
    "протеч",  # leak (ru)
    "плісня",  # mould (uk)
    "плесен",  # mould (ru)
    "вологі",  # damp (uk)
    "сырост",  # damp (ru)
    "тарган",  # cockroach (uk)
    "таракан",  # cockroach (ru)
    "клоп",  # bed bugs (uk, ru)
    "сусід",  # neighbour (uk)
    "сосед",  # neighbour (ru)
    "вікн",  # window (uk)
    "окн",  # window (ru)
    "підвал",  # cellar (uk)
    "подвал",  # cellar (ru)
    "ліфт",  # lift (uk)
    "лифт",  # lift (ru)
)
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z]+)*")


def names_housing_matter(text: str) -> bool:
    """True when ``text`` names something about the home, the lease or the building."""
    folded = fold(text).replace("ı", "i")
    for word in _WORD.findall(folded):
        if word in _WORDS or any(word.startswith(stem) for stem in _STEMS):
            return True
    lowered = text.lower()
    return any(infix in lowered for infix in _INFIXES)
