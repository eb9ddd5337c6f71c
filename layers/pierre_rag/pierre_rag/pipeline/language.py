"""A small, dependency-free language guess: script, then letters and words; French if unsure.

French is the language of the knowledge and of most tenants, so another language must show
more evidence than French does: a word counts for another language only when it is not also
a French word or SMS spelling ("es" in "tu es", "un", "la", "con"), ties go to French, and a
message with no evidence at all stays French. ``infra/bench_language.py`` measures this against
maintained detectors on ``tests/bench/languages.jsonl``: it is as accurate there, without their
load time and memory at cold start.
"""

from __future__ import annotations

import re
import unicodedata

_SCRIPTS: list[tuple[str, re.Pattern[str]]] = [
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
]
_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")

# Letters only one of the candidate languages writes (before folding): one each is evidence.
_LETTERS: dict[str, str] = {"es": "ñ¿¡", "pt": "ãõ", "de": "ß", "tr": "ğşı", "it": "ìò"}

# Frequent words, folded (no accents). French also gets tenants' SMS spellings and slang.
_FRENCH = frozenset(
    """
    le la les l un une des du de d et est es je j tu t il elle nous vous ils elles on mon ma
    mes ton ta tes son sa ses notre votre leur leurs ce cet cette ces c ca cela pour pas plus
    que qu
    qui quoi quel quelle quels dans avec sur sous mais ou au aux suis ai as avons avez ont sont
    peux peut puis pouvez dois doit veux veut faut fait faire comment pourquoi quand combien
    depuis chez sans tres trop bien aussi encore jamais rien tout tous toute y en ne n me m se s
    te moi toi lui si non oui bonjour bonsoir salut bjr slt stp svp merci mrc cc coucou jveu
    jsuis chui jpeu jpeux jfais jpp jai g ke koi kan pk pq pa pas mai ki sa tt tte ds bcp
    vraiment nul nulle debile con conne idiot bouffon blague inutile sers rien comprends
    logement loyer bail appart appartement proprio bailleur gardien voisin voisins voisine
    chauffage chaudiere fuite eau chaude froid moisissure humidite punaises cafards souris rats
    charges caution preavis quittance dossier demande agence ascenseur porte cle cles urgent
    allo ok daccord wesh keum galere marre abuse grave franchement truc
    """.split()
)
_OTHERS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """
        the a an and is are was i you he she we they my your his her our their this that these
        what who how why when where which can could should would will do does did dont cant
        have has had with of to it me be been not no yes from at by for there here about
        please pls plz thanks thank thx hello hi hey help u ur r wat wot sorry sry
        rent landlord flat apartment housing heating water hot cold leak mould mold damp
        neighbour neighbor noisy noise deposit lease notice office hours smell gas kitchen
        bathroom bedroom ceiling wall walls broken fix pay apply move out late month week
        useless stupid idiot waste time dog lift kids son daughter joke ever dumbest
        any anyone anybody someone there call send get got go going want need know think
        just now today tomorrow night day why ty tnx cheers bye good bad worst dumb
        allowed live living paint room partner wife husband children certificate high
        """.split()
    ),
    "es": frozenset(
        """
        el los las y es son soy eres yo usted mi mis tu su nuestro que quien como cuando
        cuanto donde por para pero con del al esta este esto estoy tengo tiene tienen hay
        puedo puede hago hacer no si muy mas nada algo ya desde hace q xq xfa porfa hola
        gracias ayuda buenos buenas dias noches alquiler piso vivienda casero calefaccion
        agua caliente fuga bano cocina humedad moho paredes vecino ruido fianza contrato
        perro hijos hija hijo dormitorio oficina abre hora huele cucarachas chinches quien
        paga tratamiento inutil tonto sirves idiota solicitud preaviso mes pagar necesito
        contesta pide devuelven arriba noche todas nose
        alguien quien llamo llamar envio enviar rompe roto muchas muchos gracias mierda
        peor hoy manana ahora vivir pintar pareja habitacion gastos comunidad seguro
        certificado altos tan buenas buenos
        """.split()
    ),
    "pt": frozenset(
        """
        o os as e eu voce vc meu minha meus seu sua que quem como quando quanto onde por
        para mas com do da dos das no na nos nas nao sim muito mais nada tenho tem ha
        posso pode faco fazer ola obrigado obrigada obg oq pq renda aluguel casa habitacao
        senhorio aquecimento agua quente fuga banho cozinha humidade bolor paredes vizinho
        barulho caucao contrato cao filhos filha quarto agencia abre horas cheira baratas
        percevejos paga tratamento inutil burro serves idiota pedido aviso previo mes pagar
        ajuda ajudar desde ontem devolvem consigo moro responde pede pela pelo um uma
        oi alguem ai preciso ligo ligar envio enviar avariar avariou noite hoje amanha
        agora viver pintar companheiro companheira quarto despesas seguro certificado
        muito muita pessimo robo voce
        """.split()
    ),
    "it": frozenset(
        """
        il lo gli e sono sei io tu lei mio mia miei che chi come quando quanto dove perche
        xke per ma con del della dei delle nel nella non si molto piu niente ho hai ha
        posso puo faccio fare ciao grazie grz aiuto aiuti affitto casa alloggio popolare
        proprietario riscaldamento acqua calda perdita bagno cucina umidita muffa muffe
        muri vicino rumore cauzione contratto cane figli figlia camera ufficio apre ora
        odore scarafaggi cimici paga trattamento inutile stupido servi idiota domanda
        preavviso mese pagare favore mille ieri nn proprio mi ci sopra notti risponde
        chiede restituiscono riesco cosa vuole riparare sempre ancora
        qualcuno chiamo chiamare mando mandare rompe rotto notte oggi domani adesso
        vivere dipingere compagno compagna spese assicurazione certificato alte peggiore
        buongiorno buonasera bisogno subito davvero merda puo
        """.split()
    ),
    "de": frozenset(
        """
        der die das ein eine einen und ist sind bin bist ich du sie wir ihr mein meine
        meinen dein was wer wie warum wann wo fur mit auf kann kannst habe hab hast hat
        nicht kein keine ja nein sehr mehr nichts bitte danke dir hallo hilfe helfen miete
        wohnung sozialwohnung vermieter heizung wasser warmes warm kaputt bad badezimmer
        kuche schimmel wand wanden nachbar laut musik kaution mietvertrag hund kinder
        tochter schlafzimmer buro offnet geoffnet riecht nach kakerlaken bettwanzen zahlt
        bezahlt behandlung nutzlos dumm dummer roboter idiot verstehst gar seit gestern
        jede nacht tun soll im es gibt einen den dem
        jemand da rufe rufen schicke schicken wohin wen heute morgen jetzt wohnen
        streichen zimmer partner partnerin versicherung bescheinigung nebenkosten hoch
        vielen dank echt dringend brauche brauch blod bloder schlechteste servus moin
        nicht auch noch schon
        """.split()
    ),
    "tr": frozenset(
        """
        ve bir bu su ne nasil neden niye icin ile ben sen biz benim senin mi mu mısın var
        yok evet hayir merhaba selam tesekkurler tesekkur ederim cok kira ev sahibi sahibim
        konut sosyal basvuru kalorifer sicak su sizinti banyo mutfak nem kuf duvar
        duvarlari komsu gurultu depozito sozlesme kopek cocuk kizim yatak odasi ofis saat
        acilir gaz kokusu hamambocegi tahtakurusu oder ilac yapmali yapicam yardim
        edermisin yaramazsin aptal salak dunden beri artti kadar cevap vermiyor istiyorum
        kimse kim kimi nereye nerede gece bugun yarin simdi yasayabilir boyayabilir
        odami oda esim sigorta belgesi aidat aidatlar yuksek acil lazim sagol berbat
        berbatsin selam gondereyim aramaliyim bozulursa
        """.split()
    ),
}
_TOKEN = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _script(text: str, letters: int) -> str | None:
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(text)) >= max(2, letters // 4):
            if code == "ru" and _UKRAINIAN_LETTERS.search(text):
                return "uk"
            return code
    return None


def _scores(text: str) -> dict[str, int]:
    """Evidence per language: its words that are not French, its own letters."""
    tokens = _TOKEN.findall(fold(text).replace("ı", "i"))
    scores = {"fr": sum(token in _FRENCH for token in tokens)}
    for code, words in _OTHERS.items():
        own = sum(token in words and token not in _FRENCH for token in tokens)
        scores[code] = own + sum(text.lower().count(letter) for letter in _LETTERS.get(code, ""))
    return scores


def guess_language(text: str, default: str = "fr") -> str:
    """ISO 639-1 code of ``text``; ``default`` when nothing stands out (short or mixed)."""
    letters = sum(c.isalpha() for c in text)
    if not letters:
        return default
    script = _script(text, letters)
    if script:
        return script
    scores = _scores(text)
    best = max(scores, key=lambda code: (scores[code], code == default))
    if scores[best] == 0 or scores[best] <= scores.get(default, 0):
        return default
    return best
