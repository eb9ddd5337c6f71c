"""The emergency block: what to do and whom to call, before anything else in the answer.

Fixed text, never the LLM's nor the knowledge's: the numbers are chosen by intent (see
:data:`NUMBERS`), then the landlord's on-call line from its file (``emergency.on_call_phone``)
for emergencies in the building. Written in the user's language (French when it has no
translation here), as Markdown that the channel's style turns into plain text for SMS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pierre_rag.landlords import LandlordConfig
from pierre_rag.pipeline.emergencies import Detection, Emergency
from pierre_rag.pipeline.models import Understanding

DEFAULT_LANGUAGE = "fr"

# Phone numbers as dialled in France; the labels are translated below.
DIAL: Mapping[str, str] = {
    "gas": "0 800 47 33 33",  # GRDF's Urgence Sécurité Gaz, free, 24/7
    "fire": "18",
    "medical": "15",
    "police": "17",
    "europe": "112",
    "sms": "114",  # by SMS, for those who cannot speak
    "violence": "3919",  # Violences Femmes Info, free and anonymous
}

NUMBERS: Mapping[Emergency, tuple[str, ...]] = {
    Emergency.GAS: ("gas", "fire", "europe"),
    Emergency.FIRE: ("fire", "europe"),
    Emergency.CARBON_MONOXIDE: ("fire", "medical", "europe"),
    Emergency.ELECTRICITY: ("fire", "europe"),
    Emergency.WATER: ("fire",),
    Emergency.LIFT: ("europe",),
    Emergency.VIOLENCE: ("police", "violence", "sms", "europe"),
    Emergency.DANGER: ("medical", "police", "fire", "europe", "sms"),
}

# Steps given by SMS when a message has several intents (UCS-2 parts carry 67 characters).
SMS_STEPS = 2

# The on-call line is for the building: not what a victim of violence should call first.
ON_CALL_INTENTS = frozenset(
    {
        Emergency.GAS,
        Emergency.FIRE,
        Emergency.CARBON_MONOXIDE,
        Emergency.ELECTRICITY,
        Emergency.WATER,
        Emergency.LIFT,
    }
)


@dataclass(frozen=True)
class SafetyPhrases:
    title: str
    call: str  # "{numbers}" is the list of labelled numbers (no colon: SMS parts end there)
    on_call: str  # "{landlord}", "{phone}"
    numbers: Mapping[str, str]  # "{n}" is the number
    steps: Mapping[Emergency, str]


E = Emergency
PHRASES: Mapping[str, SafetyPhrases] = {
    "fr": SafetyPhrases(
        title="URGENCE",
        call="Appelez {numbers}.",
        on_call="Astreinte {landlord} (24 h/24) {phone}.",
        numbers={
            "gas": "Urgence Gaz GRDF {n}",
            "fire": "pompiers {n}",
            "medical": "SAMU {n}",
            "police": "police {n}",
            "europe": "urgences {n}",
            "sms": "SMS au {n} si vous ne pouvez pas parler",
            "violence": "{n} (violences, gratuit)",
        },
        steps={
            E.GAS: "Sortez tout de suite. N'allumez rien, ne touchez à aucun interrupteur.",
            E.FIRE: "Sortez si le passage est libre, fermez la porte. Sinon, restez chez vous, "
            "porte fermée.",
            E.CARBON_MONOXIDE: "Ouvrez les fenêtres, arrêtez chaudière et chauffage, sortez.",
            E.ELECTRICITY: "Ne touchez à rien. Coupez le disjoncteur si vous pouvez le faire "
            "sans risque.",
            E.WATER: "Fermez le robinet d'arrêt. Coupez l'électricité si l'eau approche des "
            "prises.",
            E.LIFT: "Appuyez sur le bouton d'alarme de la cabine. Ne forcez pas les portes.",
            E.VIOLENCE: "Mettez-vous en sécurité.",
            E.DANGER: "Restez auprès de la personne si vous pouvez le faire sans danger.",
        },
    ),
    "en": SafetyPhrases(
        title="EMERGENCY",
        call="Call {numbers}.",
        on_call="{landlord} on-call line (24/7) {phone}.",
        numbers={
            "gas": "GRDF gas emergency {n}",
            "fire": "fire brigade {n}",
            "medical": "ambulance (SAMU) {n}",
            "police": "police {n}",
            "europe": "emergencies {n}",
            "sms": "text {n} if you cannot speak",
            "violence": "{n} (violence helpline, free)",
        },
        steps={
            E.GAS: "Get out now. Do not switch anything on or off.",
            E.FIRE: "Get out if the way is clear and close the door. If not, stay inside with "
            "the door shut.",
            E.CARBON_MONOXIDE: "Open the windows, turn off the boiler and heaters, get out.",
            E.ELECTRICITY: "Touch nothing. Switch off the main breaker if it is safe to do so.",
            E.WATER: "Turn off the water stopcock. Switch off the power if water nears sockets.",
            E.LIFT: "Press the alarm button in the lift. Do not force the doors.",
            E.VIOLENCE: "Get to a safe place.",
            E.DANGER: "Stay with the person if it is safe to do so.",
        },
    ),
    "es": SafetyPhrases(
        title="URGENCIA",
        call="Llame a {numbers}.",
        on_call="Guardia de {landlord} (24 h) {phone}.",
        numbers={
            "gas": "urgencias de gas GRDF {n}",
            "fire": "bomberos {n}",
            "medical": "ambulancia (SAMU) {n}",
            "police": "policía {n}",
            "europe": "emergencias {n}",
            "sms": "SMS al {n} si no puede hablar",
            "violence": "{n} (violencia, gratuito)",
        },
        steps={
            E.GAS: "Salga ya. No encienda ni apague nada.",
            E.FIRE: "Salga si el paso está libre y cierre la puerta. Si no, quédese dentro con "
            "la puerta cerrada.",
            E.CARBON_MONOXIDE: "Abra las ventanas, apague la caldera y la calefacción, salga.",
            E.ELECTRICITY: "No toque nada. Corte el interruptor general si puede hacerlo sin "
            "riesgo.",
            E.WATER: "Cierre la llave de paso. Corte la luz si el agua se acerca a los enchufes.",
            E.LIFT: "Pulse el botón de alarma de la cabina. No fuerce las puertas.",
            E.VIOLENCE: "Póngase a salvo.",
            E.DANGER: "Quédese con la persona si puede hacerlo sin peligro.",
        },
    ),
    "pt": SafetyPhrases(
        title="EMERGÊNCIA",
        call="Ligue para {numbers}.",
        on_call="Piquete de {landlord} (24 h) {phone}.",
        numbers={
            "gas": "emergência gás GRDF {n}",
            "fire": "bombeiros {n}",
            "medical": "ambulância (SAMU) {n}",
            "police": "polícia {n}",
            "europe": "emergências {n}",
            "sms": "SMS para o {n} se não puder falar",
            "violence": "{n} (violência, gratuito)",
        },
        steps={
            E.GAS: "Saia já. Não ligue nem desligue nada.",
            E.FIRE: "Saia se a passagem estiver livre e feche a porta. Se não, fique em casa com "
            "a porta fechada.",
            E.CARBON_MONOXIDE: "Abra as janelas, desligue a caldeira e o aquecimento, saia.",
            E.ELECTRICITY: "Não toque em nada. Desligue o disjuntor geral se o puder fazer sem "
            "risco.",
            E.WATER: "Feche a torneira de segurança. Desligue a luz se a água chegar às tomadas.",
            E.LIFT: "Carregue no botão de alarme da cabina. Não force as portas.",
            E.VIOLENCE: "Ponha-se em segurança.",
            E.DANGER: "Fique junto da pessoa se o puder fazer sem perigo.",
        },
    ),
    "ar": SafetyPhrases(
        title="طوارئ",
        call="اتصل بـ {numbers}.",
        on_call="خط طوارئ {landlord} (24/24) {phone}.",
        numbers={
            "gas": "طوارئ الغاز GRDF {n}",
            "fire": "الإطفاء {n}",
            "medical": "الإسعاف (SAMU) {n}",
            "police": "الشرطة {n}",
            "europe": "الطوارئ {n}",
            "sms": "رسالة SMS إلى {n} إذا لم تستطع الكلام",
            "violence": "{n} (العنف، مجاني)",
        },
        steps={
            E.GAS: "اخرج فورًا. لا تشعل ولا تطفئ أي شيء.",
            E.FIRE: "اخرج إذا كان الطريق آمنًا وأغلق الباب. وإلا فابقَ في الداخل والباب مغلق.",
            E.CARBON_MONOXIDE: "افتح النوافذ، أطفئ المرجل والتدفئة، واخرج.",
            E.ELECTRICITY: "لا تلمس شيئًا. اقطع القاطع الرئيسي إذا أمكن ذلك دون خطر.",
            E.WATER: "أغلق صنبور الماء الرئيسي. اقطع الكهرباء إذا اقترب الماء من المقابس.",
            E.LIFT: "اضغط زر الإنذار في المصعد. لا تفتح الأبواب بالقوة.",
            E.VIOLENCE: "ابتعد إلى مكان آمن.",
            E.DANGER: "ابقَ مع الشخص إذا أمكن ذلك دون خطر.",
        },
    ),
    "tr": SafetyPhrases(
        title="ACİL DURUM",
        call="Arayın {numbers}.",
        on_call="{landlord} nöbetçi hattı (7/24) {phone}.",
        numbers={
            "gas": "GRDF gaz acil {n}",
            "fire": "itfaiye {n}",
            "medical": "ambulans (SAMU) {n}",
            "police": "polis {n}",
            "europe": "acil {n}",
            "sms": "konuşamıyorsanız {n} numarasına SMS",
            "violence": "{n} (şiddet hattı, ücretsiz)",
        },
        steps={
            E.GAS: "Hemen dışarı çıkın. Hiçbir şeyi açıp kapatmayın.",
            E.FIRE: "Yol açıksa çıkın ve kapıyı kapatın. Değilse kapı kapalı içeride kalın.",
            E.CARBON_MONOXIDE: "Pencereleri açın, kombiyi ve ısıtıcıları kapatın, dışarı çıkın.",
            E.ELECTRICITY: "Hiçbir şeye dokunmayın. Güvenliyse ana sigortayı kapatın.",
            E.WATER: "Ana su vanasını kapatın. Su prizlere yaklaşıyorsa elektriği kesin.",
            E.LIFT: "Kabindeki alarm düğmesine basın. Kapıları zorlamayın.",
            E.VIOLENCE: "Güvenli bir yere geçin.",
            E.DANGER: "Tehlike yoksa kişinin yanında kalın.",
        },
    ),
    "de": SafetyPhrases(
        title="NOTFALL",
        call="Rufen Sie {numbers} an.",
        on_call="Bereitschaftsdienst {landlord} (rund um die Uhr) {phone}.",
        numbers={
            "gas": "GRDF-Gasnotruf {n}",
            "fire": "Feuerwehr {n}",
            "medical": "Rettungsdienst (SAMU) {n}",
            "police": "Polizei {n}",
            "europe": "Notruf {n}",
            "sms": "SMS an {n}, wenn Sie nicht sprechen können",
            "violence": "{n} (Gewalt-Hilfetelefon, kostenlos)",
        },
        steps={
            E.GAS: "Sofort hinaus. Nichts ein- oder ausschalten.",
            E.FIRE: "Hinaus, wenn der Weg frei ist, Tür schließen. Sonst drinnen bleiben, Tür zu.",
            E.CARBON_MONOXIDE: "Fenster öffnen, Heizkessel und Heizung ausschalten, hinausgehen.",
            E.ELECTRICITY: "Nichts berühren. Hauptschalter ausschalten, wenn das gefahrlos geht.",
            E.WATER: "Haupthahn zudrehen. Strom abschalten, wenn Wasser an Steckdosen kommt.",
            E.LIFT: "Alarmknopf in der Kabine drücken. Türen nicht aufzwingen.",
            E.VIOLENCE: "Bringen Sie sich in Sicherheit.",
            E.DANGER: "Bleiben Sie bei der Person, wenn das gefahrlos geht.",
        },
    ),
    "it": SafetyPhrases(
        title="EMERGENZA",
        call="Chiami {numbers}.",
        on_call="Reperibilità {landlord} (24 ore su 24) {phone}.",
        numbers={
            "gas": "pronto intervento gas GRDF {n}",
            "fire": "vigili del fuoco {n}",
            "medical": "ambulanza (SAMU) {n}",
            "police": "polizia {n}",
            "europe": "emergenze {n}",
            "sms": "SMS al {n} se non può parlare",
            "violence": "{n} (violenza, gratuito)",
        },
        steps={
            E.GAS: "Esca subito. Non accenda né spenga nulla.",
            E.FIRE: "Esca se il passaggio è libero e chiuda la porta. Altrimenti resti dentro "
            "con la porta chiusa.",
            E.CARBON_MONOXIDE: "Apra le finestre, spenga caldaia e riscaldamento, esca.",
            E.ELECTRICITY: "Non tocchi nulla. Stacchi l'interruttore generale se può farlo senza "
            "rischi.",
            E.WATER: "Chiuda il rubinetto generale. Stacchi la corrente se l'acqua si avvicina "
            "alle prese.",
            E.LIFT: "Prema il pulsante d'allarme della cabina. Non forzi le porte.",
            E.VIOLENCE: "Si metta al sicuro.",
            E.DANGER: "Resti con la persona se può farlo senza pericolo.",
        },
    ),
    # Not UI languages: many tenants from Ukraine write Ukrainian or Russian
    # (pipeline.emergencies has their rules).
    "uk": SafetyPhrases(
        title="ТЕРМІНОВО",
        call="Телефонуйте {numbers}.",
        on_call="Чергова служба {landlord} (24/7) {phone}.",
        numbers={
            "gas": "газ GRDF {n}",
            "fire": "пожежні {n}",
            "medical": "швидка (SAMU) {n}",
            "police": "поліція {n}",
            "europe": "екстрені служби {n}",
            "sms": "SMS на {n}, якщо не можете говорити",
            "violence": "{n} (насильство, безкоштовно)",
        },
        steps={
            E.GAS: "Негайно вийдіть. Нічого не вмикайте й не вимикайте.",
            E.FIRE: "Якщо шлях вільний, вийдіть і зачиніть двері. Інакше лишайтеся вдома.",
            E.CARBON_MONOXIDE: "Відчиніть вікна, вимкніть котел і обігрівачі, вийдіть.",
            E.ELECTRICITY: "Нічого не торкайтеся. Вимкніть головний автомат, якщо це безпечно.",
            E.WATER: "Перекрийте кран води. Вимкніть електрику, якщо вода біля розеток.",
            E.LIFT: "Натисніть кнопку тривоги в кабіні. Не відчиняйте двері силою.",
            E.VIOLENCE: "Перейдіть у безпечне місце.",
            E.DANGER: "Залишайтеся з людиною, якщо це безпечно.",
        },
    ),
    "ru": SafetyPhrases(
        title="СРОЧНО",
        call="Звоните {numbers}.",
        on_call="Дежурная служба {landlord} (24/7) {phone}.",
        numbers={
            "gas": "газ GRDF {n}",
            "fire": "пожарные {n}",
            "medical": "скорая (SAMU) {n}",
            "police": "полиция {n}",
            "europe": "экстренные службы {n}",
            "sms": "SMS на {n}, если не можете говорить",
            "violence": "{n} (насилие, бесплатно)",
        },
        steps={
            E.GAS: "Немедленно выйдите. Ничего не включайте и не выключайте.",
            E.FIRE: "Если путь свободен, выйдите и закройте дверь. Иначе оставайтесь дома.",
            E.CARBON_MONOXIDE: "Откройте окна, выключите котёл и обогреватели, выйдите.",
            E.ELECTRICITY: "Ничего не трогайте. Выключите главный автомат, если это безопасно.",
            E.WATER: "Перекройте кран воды. Отключите электричество, если вода у розеток.",
            E.LIFT: "Нажмите кнопку вызова в кабине. Не открывайте двери силой.",
            E.VIOLENCE: "Уйдите в безопасное место.",
            E.DANGER: "Оставайтесь с человеком, если это безопасно.",
        },
    ),
}


@dataclass(frozen=True)
class SafetyBlock:
    """The block's Markdown text, and what it was written for."""

    text: str
    intents: tuple[Emergency, ...]
    language: str


def block_language(understood: str, detection: Detection, *, sure: bool) -> str:
    """The user's language. The LLM's verdict is ``sure``; the local guess counts words, and
    on a short message the phrase the rules matched ("huele a gas") says more."""
    if understood in PHRASES and (sure or understood in detection.languages):
        return understood
    if sure:
        return DEFAULT_LANGUAGE
    return next((code for code in detection.languages if code in PHRASES), DEFAULT_LANGUAGE)


def numbers_for(intents: tuple[Emergency, ...]) -> list[str]:
    """The numbers to call, most specific first, each once."""
    chosen: list[str] = []
    for intent in intents:
        chosen.extend(key for key in NUMBERS[intent] if key not in chosen)
    return chosen


def safety_block(
    detection: Detection,
    understanding: Understanding,
    landlord: LandlordConfig,
    *,
    compact: bool = False,
) -> SafetyBlock | None:
    """The block for ``detection`` (None when it found no emergency). ``compact`` is for SMS:
    numbers without spaces, so a split between words never cuts one in two, and the steps
    of the first :data:`SMS_STEPS` intents only (every number is kept), so the block always
    fits in the SMS parts of one answer."""
    if not detection:
        return None
    sure = understanding.source == "llm"
    language = block_language(understanding.language, detection, sure=sure)
    phrases = PHRASES[language]

    def dial(number: str) -> str:
        return number.replace(" ", "") if compact else number

    numbers = ", ".join(
        phrases.numbers[key].format(n=dial(DIAL[key])) for key in numbers_for(detection.intents)
    )
    lines = [f"**{phrases.title}**"]
    steps = detection.intents[:SMS_STEPS] if compact else detection.intents
    lines += [f"- {phrases.steps[intent]}" for intent in steps]
    lines.append(f"- {phrases.call.format(numbers=numbers)}")
    on_call = landlord.emergency.on_call_phone if landlord.emergency else None
    if on_call and ON_CALL_INTENTS.intersection(detection.intents):
        lines.append(f"- {phrases.on_call.format(landlord=landlord.name, phone=dial(on_call))}")
    return SafetyBlock("\n".join(lines), detection.intents, language)


def without_block(answer: str) -> str:
    """``answer`` without the emergency block it starts with, if any: what an answer said
    beyond the block (given again, rightly, each time the emergency is written)."""
    first_line = answer.split("\n", 1)[0].strip("*")
    if not any(first_line == phrases.title for phrases in PHRASES.values()):
        return answer
    _, _, rest = answer.partition("\n\n")
    return rest
