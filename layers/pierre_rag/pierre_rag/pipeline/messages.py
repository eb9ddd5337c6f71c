"""Fixed replies (gates, nothing found, excerpts' header), in the languages tenants write in.

Anything else falls back to French, the language of the knowledge, then the LLM (when there
is one) answers in the user's language for the real answers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrases:
    capabilities: str
    off_topic: str
    abusive: str
    abusive_reminder: str
    nothing_found: str
    contact: str
    on_call: str  # after the contact when a breakdown is reported: {phone}
    excerpts_intro: str
    excerpts_note: str
    read_more: str  # the articles an extractive answer offers to read whole: {articles}…
    article: str  # …each written so: {title} and its source {number}
    error: str
    long_message: str  # SMS: the question was clipped before answering
    thanked: str  # the reply to thanks alone ("merci !")
    goodbye: str  # the reply to a goodbye ("au revoir")
    anything_else: str  # the reply to "ok", "d'accord"
    hello: str  # after the landlord's greeting (in French), to greet in the user's language
    person: str  # the reply to a request for a person, with the landlord's contact: {handoff}
    no_person: str  # the same when the landlord has set no contact


PHRASES: dict[str, Phrases] = {
    "fr": Phrases(
        capabilities="je réponds aux questions sur le logement social : demande de logement, "
        "bail, loyer et charges, aides au logement, réparations, vie dans la résidence",
        off_topic="Je ne peux pas vous aider sur ce sujet : {capabilities}.",
        abusive="Je suis là pour vous aider, dans le respect mutuel. Reformulez votre question "
        "si vous le souhaitez : {capabilities}.",
        abusive_reminder="Je vous réponds volontiers, en restant courtois de part et d'autre.",
        nothing_found="Je n'ai pas trouvé de réponse fiable à cette question dans ma base "
        "de connaissances.",
        contact="Pour une réponse personnalisée : {handoff}.",
        on_call="Urgence hors des heures d'ouverture : astreinte {phone}.",
        excerpts_intro="Voici les passages de notre base de connaissances qui répondent le "
        "mieux à votre question :",
        excerpts_note="Réponse automatique composée d'extraits ; vérifiez qu'ils "
        "correspondent à votre situation.",
        read_more="Pour en savoir plus : {articles}.",
        article="« {title} » [{number}]",
        error="Désolé, une erreur est survenue. Réessayez dans un instant.",
        long_message="(Votre message était long : j'ai répondu à son début.)",
        thanked="Avec plaisir ! Avez-vous une autre question ?",
        goodbye="Au revoir, et bonne journée !",
        anything_else="Avez-vous une autre question ?",
        hello="Bonjour !",
        person="Je suis un assistant automatique. Pour parler à une personne : {handoff}.",
        no_person="Je suis un assistant automatique et je ne peux pas vous mettre en relation "
        "avec une personne : contactez directement votre bailleur.",
    ),
    "en": Phrases(
        capabilities="I answer questions about social housing: applying for housing, the "
        "lease, rent and charges, housing benefits, repairs, life in the building",
        off_topic="I can't help with that: {capabilities}.",
        abusive="I'm here to help, with mutual respect. Feel free to rephrase your "
        "question: {capabilities}.",
        abusive_reminder="I'm happy to help; let's keep it courteous on both sides.",
        nothing_found="I couldn't find a reliable answer to this question in my knowledge base.",
        contact="For a personal answer: {handoff}.",
        on_call="Urgent repair out of hours: on-call line {phone}.",
        excerpts_intro="Here are the passages of our knowledge base (in French) that best match "
        "your question:",
        excerpts_note="Automatic answer made of excerpts; check they fit your situation.",
        read_more="To read more: {articles} (in French).",
        article='"{title}" [{number}]',
        error="Sorry, something went wrong. Please try again in a moment.",
        long_message="(Your message was long: I answered its beginning.)",
        thanked="You're welcome! Do you have another question?",
        goodbye="Goodbye, and have a good day!",
        anything_else="Do you have another question?",
        hello="Hello!",
        person="I'm an automated assistant. To talk to a person: {handoff}.",
        no_person="I'm an automated assistant and can't put you through to a person: please "
        "contact your landlord directly.",
    ),
    "es": Phrases(
        capabilities="respondo a preguntas sobre la vivienda social: solicitud de vivienda, "
        "contrato, alquiler y gastos, ayudas a la vivienda, reparaciones",
        off_topic="No puedo ayudarle con ese tema: {capabilities}.",
        abusive="Estoy aquí para ayudarle, con respeto mutuo. Puede reformular su "
        "pregunta: {capabilities}.",
        abusive_reminder="Le respondo con gusto, manteniendo la cortesía por ambas partes.",
        nothing_found="No he encontrado una respuesta fiable en mi base de conocimientos.",
        contact="Para una respuesta personalizada: {handoff}.",
        on_call="Avería urgente fuera de horario: guardia {phone}.",
        excerpts_intro="Estos son los pasajes de nuestra base de conocimientos (en francés) que "
        "mejor responden a su pregunta:",
        excerpts_note="Respuesta automática hecha de extractos; compruebe que corresponden "
        "a su situación.",
        read_more="Para saber más: {articles} (en francés).",
        article="«{title}» [{number}]",
        error="Lo siento, se ha producido un error. Inténtelo de nuevo en un momento.",
        long_message="(Su mensaje era largo: he respondido a su comienzo.)",
        thanked="¡De nada! ¿Tiene otra pregunta?",
        goodbye="¡Adiós, y que tenga un buen día!",
        anything_else="¿Tiene otra pregunta?",
        hello="¡Hola!",
        person="Soy un asistente automático. Para hablar con una persona: {handoff}.",
        no_person="Soy un asistente automático y no puedo ponerle en contacto con una persona: "
        "contacte directamente con su arrendador.",
    ),
    "pt": Phrases(
        capabilities="respondo a perguntas sobre habitação social: pedido de habitação, "
        "contrato, renda e encargos, apoios à habitação, reparações",
        off_topic="Não posso ajudar com esse assunto: {capabilities}.",
        abusive="Estou aqui para ajudar, com respeito mútuo. Pode reformular a sua "
        "pergunta: {capabilities}.",
        abusive_reminder="Respondo com gosto, mantendo a cortesia de parte a parte.",
        nothing_found="Não encontrei uma resposta fiável na minha base de conhecimento.",
        contact="Para uma resposta personalizada: {handoff}.",
        on_call="Avaria urgente fora de horas: piquete {phone}.",
        excerpts_intro="Eis as passagens da nossa base de conhecimento (em francês) que melhor "
        "respondem à sua pergunta:",
        excerpts_note="Resposta automática feita de excertos; verifique se correspondem à "
        "sua situação.",
        read_more="Para saber mais: {articles} (em francês).",
        article="«{title}» [{number}]",
        error="Desculpe, ocorreu um erro. Tente novamente dentro de instantes.",
        long_message="(A sua mensagem era longa: respondi ao início.)",
        thanked="De nada! Tem outra pergunta?",
        goodbye="Adeus, e tenha um bom dia!",
        anything_else="Tem outra pergunta?",
        hello="Olá!",
        person="Sou um assistente automático. Para falar com uma pessoa: {handoff}.",
        no_person="Sou um assistente automático e não posso pô-lo em contacto com uma pessoa: "
        "contacte diretamente o seu senhorio.",
    ),
    "ar": Phrases(
        capabilities="أجيب عن الأسئلة المتعلقة بالسكن الاجتماعي: طلب السكن، عقد الإيجار، "
        "الإيجار والتكاليف، مساعدات السكن، الإصلاحات",
        off_topic="لا أستطيع المساعدة في هذا الموضوع: {capabilities}.",
        abusive="أنا هنا لمساعدتك في إطار الاحترام المتبادل. يمكنك إعادة صياغة سؤالك: "
        "{capabilities}.",
        abusive_reminder="يسعدني أن أجيبك، مع الحفاظ على الاحترام المتبادل.",
        nothing_found="لم أجد إجابة موثوقة لهذا السؤال في قاعدة معارفي.",
        contact="للحصول على إجابة شخصية: {handoff}.",
        on_call="عطل عاجل خارج ساعات العمل: خط الطوارئ {phone}.",
        excerpts_intro="هذه أهم المقاطع من قاعدة معارفنا (بالفرنسية) التي تجيب عن سؤالك:",
        excerpts_note="إجابة آلية مكونة من مقتطفات؛ تأكد من أنها تناسب وضعك.",
        read_more="لمعرفة المزيد: {articles} (بالفرنسية).",
        article="«{title}» [{number}]",
        error="عذرًا، حدث خطأ. حاول مرة أخرى بعد لحظات.",
        long_message="(كانت رسالتك طويلة: أجبت عن بدايتها.)",
        thanked="على الرحب والسعة! هل لديك سؤال آخر؟",
        goodbye="مع السلامة، وأتمنى لك يومًا طيبًا!",
        anything_else="هل لديك سؤال آخر؟",
        hello="مرحبًا!",
        person="أنا مساعد آلي. للتحدث مع شخص: {handoff}.",
        no_person="أنا مساعد آلي ولا أستطيع تحويلك إلى شخص: تواصل مباشرة مع المؤجر.",
    ),
    "tr": Phrases(
        capabilities="sosyal konutla ilgili soruları yanıtlıyorum: konut başvurusu, kira "
        "sözleşmesi, kira ve masraflar, konut yardımları, onarımlar",
        off_topic="Bu konuda yardımcı olamıyorum: {capabilities}.",
        abusive="Karşılıklı saygı çerçevesinde yardım etmek için buradayım. Sorunuzu yeniden "
        "sorabilirsiniz: {capabilities}.",
        abusive_reminder="Memnuniyetle yanıtlıyorum; lütfen nezaketi koruyalım.",
        nothing_found="Bu soruya bilgi tabanımda güvenilir bir yanıt bulamadım.",
        contact="Kişisel bir yanıt için: {handoff}.",
        on_call="Mesai dışı acil arıza: nöbetçi hat {phone}.",
        excerpts_intro="Bilgi tabanımızda (Fransızca) sorunuza en iyi yanıt veren bölümler:",
        excerpts_note="Alıntılardan oluşan otomatik yanıt; durumunuza uyduğunu kontrol edin.",
        read_more="Daha fazlası için: {articles} (Fransızca).",
        article='"{title}" [{number}]',
        error="Üzgünüm, bir hata oluştu. Lütfen biraz sonra tekrar deneyin.",
        long_message="(Mesajınız uzundu: başlangıcını yanıtladım.)",
        thanked="Rica ederim! Başka bir sorunuz var mı?",
        goodbye="Hoşça kalın, iyi günler!",
        anything_else="Başka bir sorunuz var mı?",
        hello="Merhaba!",
        person="Ben otomatik bir asistanım. Bir kişiyle görüşmek için: {handoff}.",
        no_person="Ben otomatik bir asistanım ve sizi bir kişiye bağlayamıyorum: lütfen doğrudan "
        "ev sahibinizle iletişime geçin.",
    ),
    "de": Phrases(
        capabilities="ich beantworte Fragen zum Sozialwohnungsbau: Wohnungsantrag, Mietvertrag, "
        "Miete und Nebenkosten, Wohngeld, Reparaturen",
        off_topic="Dabei kann ich nicht helfen: {capabilities}.",
        abusive="Ich helfe gern, mit gegenseitigem Respekt. Formulieren Sie Ihre Frage gern "
        "neu: {capabilities}.",
        abusive_reminder="Ich antworte gern; bleiben wir bitte beide höflich.",
        nothing_found="Ich habe in meiner Wissensbasis keine verlässliche Antwort gefunden.",
        contact="Für eine persönliche Antwort: {handoff}.",
        on_call="Notfall außerhalb der Öffnungszeiten: Bereitschaftsdienst {phone}.",
        excerpts_intro="Diese Abschnitte unserer Wissensbasis (auf Französisch) passen am besten "
        "zu Ihrer Frage:",
        excerpts_note="Automatische Antwort aus Auszügen; prüfen Sie, ob sie zu Ihrer Lage passen.",
        read_more="Mehr dazu: {articles} (auf Französisch).",
        article="„{title}“ [{number}]",
        error="Entschuldigung, ein Fehler ist aufgetreten. Bitte versuchen Sie es gleich erneut.",
        long_message="(Ihre Nachricht war lang: Ich habe auf ihren Anfang geantwortet.)",
        thanked="Gern geschehen! Haben Sie noch eine Frage?",
        goodbye="Auf Wiedersehen und einen schönen Tag!",
        anything_else="Haben Sie noch eine Frage?",
        hello="Hallo!",
        person="Ich bin ein automatischer Assistent. Um mit einer Person zu sprechen: {handoff}.",
        no_person="Ich bin ein automatischer Assistent und kann Sie nicht mit einer Person "
        "verbinden: Wenden Sie sich bitte direkt an Ihren Vermieter.",
    ),
    "it": Phrases(
        capabilities="rispondo a domande sull'edilizia sociale: domanda di alloggio, contratto, "
        "affitto e spese, aiuti per l'alloggio, riparazioni",
        off_topic="Non posso aiutarla su questo argomento: {capabilities}.",
        abusive="Sono qui per aiutarla, nel rispetto reciproco. Può riformulare la sua "
        "domanda: {capabilities}.",
        abusive_reminder="Le rispondo volentieri, restando cortesi da entrambe le parti.",
        nothing_found="Non ho trovato una risposta affidabile nella mia base di conoscenze.",
        contact="Per una risposta personalizzata: {handoff}.",
        on_call="Guasto urgente fuori orario: reperibilità {phone}.",
        excerpts_intro="Ecco i passaggi della nostra base di conoscenze (in francese) che "
        "rispondono meglio alla sua domanda:",
        excerpts_note="Risposta automatica composta da estratti; verifichi che corrispondano "
        "alla sua situazione.",
        read_more="Per saperne di più: {articles} (in francese).",
        article="«{title}» [{number}]",
        error="Mi scusi, si è verificato un errore. Riprovi tra un momento.",
        long_message="(Il suo messaggio era lungo: ho risposto al suo inizio.)",
        thanked="Prego! Ha un'altra domanda?",
        goodbye="Arrivederci e buona giornata!",
        anything_else="Ha un'altra domanda?",
        hello="Buongiorno!",
        person="Sono un assistente automatico. Per parlare con una persona: {handoff}.",
        no_person="Sono un assistente automatico e non posso metterla in contatto con una "
        "persona: contatti direttamente il suo locatore.",
    ),
}


def phrases(language: str) -> Phrases:
    return PHRASES.get(language, PHRASES["fr"])


def greeting(landlord_greeting: str, language: str) -> str:
    """The landlord's greeting (written in French), then, for a tenant writing in another
    language, a hello and what the assistant answers in theirs: "hello" got French alone."""
    if language == "fr" or language not in PHRASES:
        return landlord_greeting
    p = PHRASES[language]
    return f"{landlord_greeting}\n\n{p.hello} {p.capabilities[:1].upper()}{p.capabilities[1:]}."


def off_topic(language: str) -> str:
    p = phrases(language)
    return p.off_topic.format(capabilities=p.capabilities)


def abusive(language: str) -> str:
    p = phrases(language)
    return p.abusive.format(capabilities=p.capabilities)


def offers_reading(line: str) -> bool:
    """Whether ``line`` is an extractive answer's "to read more" line, in any language."""
    return any(line.startswith(p.read_more.split("{articles}")[0]) for p in PHRASES.values())


def person(language: str, handoff: str | None) -> str:
    """The reply to a request for a person: who answers, and the landlord's contact."""
    p = phrases(language)
    return p.person.format(handoff=handoff) if handoff else p.no_person


def nothing_found(language: str, handoff: str | None, on_call: str | None = None) -> str:
    """The "nothing found" reply, then the contact and the on-call line when given."""
    p = phrases(language)
    contact = " " + p.contact.format(handoff=handoff) if handoff else ""
    return p.nothing_found + contact + (" " + on_call if on_call else "")
