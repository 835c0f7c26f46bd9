"""The default question bank and the two default templates (Kirkpatrick levels 1 and 3: reaction and
application), in the portal's four languages, loaded by a data migration (and by the tests after a
flush). Managers change them in the pages."""

# code, kind, required, headline, min, max, {language: text}, {language: options}
QUESTIONS = [
    ("satisfaction", "likert", True, "satisfaction", None, None, {
        "en": "Overall, I am satisfied with this training.",
        "es": "En general, estoy satisfecho/a con esta capacitación.",
        "pt": "De modo geral, estou satisfeito/a com esta capacitação.",
        "fr": "Dans l’ensemble, je suis satisfait·e de cette formation.",
    }, {}),
    ("relevance", "likert", False, "", None, None, {
        "en": "The content is relevant to my job.",
        "es": "El contenido es pertinente para mi trabajo.",
        "pt": "O conteúdo é pertinente para o meu trabalho.",
        "fr": "Le contenu est pertinent pour mon travail.",
    }, {}),
    ("trainers", "likert", False, "", None, None, {
        "en": "The trainers explained the subject clearly.",
        "es": "Las personas formadoras explicaron el tema con claridad.",
        "pt": "Os formadores explicaram o tema com clareza.",
        "fr": "Les formateurs ont expliqué le sujet clairement.",
    }, {}),
    ("materials", "likert", False, "", None, None, {
        "en": "The materials were useful.",
        "es": "Los materiales fueron útiles.",
        "pt": "Os materiais foram úteis.",
        "fr": "Les supports étaient utiles.",
    }, {}),
    ("recommend", "choice", False, "", None, None, {
        "en": "Would you recommend this training to a colleague?",
        "es": "¿Recomendaría esta capacitación a un colega?",
        "pt": "Recomendaria esta capacitação a um colega?",
        "fr": "Recommanderiez-vous cette formation à un collègue ?",
    }, {
        "en": ["Yes", "Maybe", "No"],
        "es": ["Sí", "Tal vez", "No"],
        "pt": ["Sim", "Talvez", "Não"],
        "fr": ["Oui", "Peut-être", "Non"],
    }),
    ("comments", "text", False, "", None, None, {
        "en": "Comments and suggestions",
        "es": "Comentarios y sugerencias",
        "pt": "Comentários e sugestões",
        "fr": "Commentaires et suggestions",
    }, {}),
    ("applied", "likert", True, "application", None, None, {
        "en": "I have applied what I learned in my work.",
        "es": "He aplicado en mi trabajo lo que aprendí.",
        "pt": "Apliquei no meu trabalho o que aprendi.",
        "fr": "J’ai appliqué dans mon travail ce que j’ai appris.",
    }, {}),
    ("use_frequency", "choice", False, "", None, None, {
        "en": "How often have you used what you learned since the training?",
        "es": "¿Con qué frecuencia ha utilizado lo aprendido desde la capacitación?",
        "pt": "Com que frequência utilizou o que aprendeu desde a capacitação?",
        "fr": "À quelle fréquence avez-vous utilisé ce que vous avez appris depuis la formation ?",
    }, {
        "en": ["Never", "Once or twice", "Every month", "Every week", "Every day"],
        "es": ["Nunca", "Una o dos veces", "Cada mes", "Cada semana", "Cada día"],
        "pt": ["Nunca", "Uma ou duas vezes", "Todos os meses", "Todas as semanas", "Todos os dias"],
        "fr": ["Jamais", "Une ou deux fois", "Chaque mois", "Chaque semaine", "Chaque jour"],
    }),
    ("shared_with", "number", False, "", 0, 1000, {
        "en": "With how many colleagues have you shared what you learned?",
        "es": "¿Con cuántos colegas ha compartido lo que aprendió?",
        "pt": "Com quantos colegas compartilhou o que aprendeu?",
        "fr": "Avec combien de collègues avez-vous partagé ce que vous avez appris ?",
    }, {}),
    ("example", "text", False, "", None, None, {
        "en": "Give an example of how you used it.",
        "es": "Dé un ejemplo de cómo lo utilizó.",
        "pt": "Dê um exemplo de como o utilizou.",
        "fr": "Donnez un exemple de la façon dont vous l’avez utilisé.",
    }, {}),
    ("obstacles", "text", False, "", None, None, {
        "en": "What has made it hard to apply?",
        "es": "¿Qué le ha dificultado aplicarlo?",
        "pt": "O que dificultou a aplicação?",
        "fr": "Qu’est-ce qui a rendu l’application difficile ?",
    }, {}),
    ("support", "text", False, "", None, None, {
        "en": "What support would help you apply it?",
        "es": "¿Qué apoyo le ayudaría a aplicarlo?",
        "pt": "Que apoio o ajudaria a aplicá-lo?",
        "fr": "Quel soutien vous aiderait à l’appliquer ?",
    }, {}),
]  # fmt: skip

TEMPLATES = [
    ("reaction", {"en": "Reaction (standard)", "es": "Reacción (estándar)", "pt": "Reação (padrão)",
                  "fr": "Réaction (standard)"},
     ["satisfaction", "relevance", "trainers", "materials", "recommend", "comments"]),
    ("application", {"en": "Application (standard)", "es": "Aplicación (estándar)", "pt": "Aplicação (padrão)",
                     "fr": "Application (standard)"},
     ["applied", "use_frequency", "shared_with", "example", "obstacles", "support"]),
]  # fmt: skip

OTHERS = ("es", "pt", "fr")


def load_defaults(question_model, template_model, item_model) -> None:
    """Idempotent: a question or template already there (by code or name) is left as it is."""
    questions = {}
    for code, kind, required, headline, low, high, texts, options in QUESTIONS:
        translations = {
            language: {"text": texts[language], **({"options": options[language]} if options else {})}
            for language in OTHERS
        }
        questions[code], _created = question_model.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "text": texts["en"],
                "options": options.get("en", []),
                "required": required,
                "headline": headline,
                "min_value": low,
                "max_value": high,
                "translations": translations,
            },
        )
    for purpose, names, codes in TEMPLATES:
        template, created = template_model.objects.get_or_create(
            name=names["en"],
            defaults={
                "purpose": purpose,
                "is_default": True,
                "translations": {language: {"name": names[language]} for language in OTHERS},
            },
        )
        if created:
            item_model.objects.bulk_create(
                item_model(template=template, question=questions[code], position=i)
                for i, code in enumerate(codes, start=1)
            )
