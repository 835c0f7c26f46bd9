"""Demo data: a course catalogue and training sessions in Peru and Colombia (and one regional
webinar), with 15–40 participants each from the people register, attendance and believable
pre/post scores; one session with parallel exam forms and question scores; the webinar's post exam
an online quiz, imported from a Moodle Grades report (several attempts for some participants). The
demo ``trainer`` runs every session but one. Idempotent: a course or session with the same title is
skipped.
"""

import csv
import io
import math
import random
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import User
from assessments.models import Dimension
from assessments.models import Framework
from engagements.models import Engagement
from engagements.models import Person

from . import services
from .certificates import certificate_request_pdf
from .certificates import certificate_revoke
from .models import Course
from .models import ExamForm
from .models import Question
from .models import ScoreChange
from .models import TrainingSession
from .quiz import MOODLE
from .quiz_import import quiz_results_import
from .results import MISSING
from .results import ResultInput
from .results import results_upsert

PE_ENGAGEMENT = "Peru: strengthening control of chemical precursors"
CO_ENGAGEMENT = "Colombia: inter-agency precursor control"

# (code, title, dimension codes, hours, description)
# The course titles and descriptions in the other languages (edited per language in the admin).
COURSE_TRANSLATIONS = {
    "risk-profiling": {
        "es": {
            "title": "Perfiles de riesgo e inspección de envíos de precursores",
            "description": "Indicadores de riesgo de los envíos de sustancias químicas, selección para la inspección, pruebas de campo y seguimiento de los envíos sospechosos en puertos, aeropuertos y zonas francas.",
        },
        "pt": {
            "title": "Perfis de risco e inspeção de remessas de precursores",
            "description": "Indicadores de risco das remessas de substâncias químicas, seleção para inspeção, testes de campo e acompanhamento das remessas suspeitas em portos, aeroportos e zonas francas.",
        },
        "fr": {
            "title": "Profilage des risques et inspection des envois de précurseurs",
            "description": "Indicateurs de risque des envois de substances chimiques, ciblage pour l'inspection, tests sur le terrain et suivi des envois suspects dans les ports, les aéroports et les zones franches.",
        },
    },
    "licensing-operators": {
        "es": {
            "title": "Licencias y registro de operadores químicos",
            "description": "Diligencia debida antes de registrar a un operador, visitas a las instalaciones, obligaciones de registro y suspensión o revocación de licencias.",
        },
        "pt": {
            "title": "Licenciamento e registro de operadores químicos",
            "description": "Diligência devida antes de registrar um operador, visitas às instalações, obrigações de registro e suspensão ou revogação de licenças.",
        },
        "fr": {
            "title": "Agrément et enregistrement des opérateurs chimiques",
            "description": "Vérifications préalables à l'enregistrement d'un opérateur, visites des locaux, obligations de tenue des registres et suspension ou retrait des agréments.",
        },
    },
    "diversion-investigations": {
        "es": {
            "title": "Investigar el desvío: rastreo retroactivo y enjuiciamiento",
            "description": "De una incautación hasta el origen: rastreo retroactivo, entregas vigiladas, solicitudes internacionales y construcción del caso para el enjuiciamiento.",
        },
        "pt": {
            "title": "Investigar o desvio: rastreamento retroativo e persecução penal",
            "description": "Da apreensão até a origem: rastreamento retroativo, entregas vigiadas, solicitações internacionais e construção do caso para a persecução penal.",
        },
        "fr": {
            "title": "Enquêter sur le détournement : traçage et poursuites",
            "description": "De la saisie jusqu'à la source : traçage, livraisons surveillées, demandes internationales et constitution du dossier pour les poursuites.",
        },
    },
    "pre-export-notifications": {
        "es": {
            "title": "Notificaciones previas a la exportación y PEN Online",
            "description": "Envío, respuesta y objeción de notificaciones previas a la exportación; previsiones de necesidades legítimas.",
        },
        "pt": {
            "title": "Notificações prévias à exportação e PEN Online",
            "description": "Envio, resposta e objeção a notificações prévias à exportação; estimativas de necessidades legítimas.",
        },
        "fr": {
            "title": "Notifications préalables à l'exportation et PEN Online",
            "description": "Envoi, réponse et objection aux notifications préalables à l'exportation ; évaluations des besoins légitimes.",
        },
    },
    "seized-chemicals": {
        "es": {
            "title": "Almacenamiento seguro y eliminación de sustancias químicas incautadas",
            "description": "Muestreo, almacenamiento seguro, transporte y eliminación ambientalmente racional de las sustancias químicas incautadas.",
        },
        "pt": {
            "title": "Armazenamento seguro e destinação de substâncias químicas apreendidas",
            "description": "Amostragem, armazenamento seguro, transporte e destinação ambientalmente adequada das substâncias químicas apreendidas.",
        },
        "fr": {
            "title": "Stockage sûr et élimination des substances chimiques saisies",
            "description": "Échantillonnage, stockage sûr, transport et élimination écologiquement rationnelle des substances chimiques saisies.",
        },
    },
}

COURSES = [
    (
        "risk-profiling",
        "Risk profiling and inspection of precursor shipments",
        ["risk_customs", "trade"],
        24,
        "Risk indicators for chemical consignments, selection for inspection, field testing, "
        "and follow-up of suspicious shipments in ports, airports and free-trade zones.",
    ),
    (
        "licensing-operators",
        "Licensing and registration of chemical operators",
        ["licensing", "inspections"],
        16,
        "Due diligence before registering an operator, premises visits, record-keeping duties "
        "and suspension or revocation of licences.",
    ),
    (
        "diversion-investigations",
        "Investigating diversion: backtracking and prosecution",
        ["investigation", "international"],
        24,
        "From a seizure back to the source: backtracking, controlled deliveries, international "
        "requests and building the case for prosecution.",
    ),
    (
        "pre-export-notifications",
        "Pre-export notifications and PEN Online",
        ["trade", "international"],
        3,
        "Sending, answering and objecting to pre-export notifications; legitimate-needs estimates.",
    ),
    (
        "seized-chemicals",
        "Safe storage and disposal of seized chemicals",
        ["seized_chemicals", "forensic"],
        16,
        "Sampling, safe storage, transport and environmentally sound disposal of seized chemicals.",
    ),
]

Kind, Modality = TrainingSession.Kind, TrainingSession.Modality

# (title, course code, engagement title or None, countries, kind, modality, start, end, venue,
#  participants, max score, pass mark, ability shift, trained by the demo trainer)
# fmt: off
SESSIONS = [
    ("Risk profiling of chemical shipments, Lima", "risk-profiling", PE_ENGAGEMENT, ["PE"], Kind.TRAINING, Modality.IN_PERSON,
     date(2024, 6, 10), date(2024, 6, 14), "Lima, SUNAT training centre", 28, 50, 35, 0.0, True),
    ("Licensing and registration of operators, Lima", "licensing-operators", PE_ENGAGEMENT, ["PE"], Kind.WORKSHOP, Modality.IN_PERSON,
     date(2024, 9, 16), date(2024, 9, 18), "Lima, DEVIDA", 22, 40, 28, 0.05, True),
    ("Risk profiling of chemical shipments, Bogotá", "risk-profiling", CO_ENGAGEMENT, ["CO"], Kind.TRAINING, Modality.HYBRID,
     date(2025, 4, 7), date(2025, 4, 11), "Bogotá, DIAN", 34, 50, 35, -0.05, True),
    ("Investigating diversion, Cartagena", "diversion-investigations", CO_ENGAGEMENT, ["CO"], Kind.TRAINING, Modality.IN_PERSON,
     date(2025, 7, 14), date(2025, 7, 18), "Cartagena, Fiscalía General de la Nación", 18, 100, 70, 0.08, False),
    ("Webinar: pre-export notifications for the Andean region", "pre-export-notifications", None, ["PE", "CO"],
     Kind.WEBINAR, Modality.VIRTUAL, date(2025, 10, 22), date(2025, 10, 22), "Online", 38, 20, 14, 0.0, True),
]
# fmt: on

# The session with parallel forms A and B and scores per question (8 questions of 5 points).
ITEM_SESSION = "Licensing and registration of operators, Lima"
# (topic, assessment dimension code)
ITEM_TOPICS = [
    ("Legal basis of the register", "legal"),
    ("Documents required for registration", "licensing"),
    ("Premises visit before registration", "inspections"),
    ("Record-keeping duties of operators", "licensing"),
    ("Monthly reports of operators", "licensing"),
    ("Suspension and revocation", "legal"),
    ("Thresholds for pre-precursors", "legal"),
    ("Sharing register data with the police", "institutional"),
]
# How hard each question is (a log-odds offset); question 7 stays hard after training.
ITEM_DIFFICULTY = [-0.8, -0.5, 0.2, 0.0, 0.3, 0.6, 1.8, 0.4]


# The session whose post exam was a Moodle quiz: 10 questions of 2 points, up to three attempts.
QUIZ_SESSION = "Webinar: pre-export notifications for the Andean region"
QUIZ_QUESTIONS = 10
QUIZ_DIFFICULTY = [-1.2, -0.6, -0.3, 0.0, 0.2, 0.4, 0.6, 0.9, 1.3, 1.7]


def _moodle_grades_report(rng: random.Random, session: TrainingSession, enrolments) -> bytes:
    """The quiz's Grades report as Moodle (English) downloads it as CSV: one row per attempt, with
    unfinished attempts and the "Overall average" row at the end."""
    header = ["Surname", "First name", "Institution", "Department", "Email address", "State", "Started on",
              "Completed", "Time taken", f"Grade/{session.max_score:.2f}"]  # fmt: skip
    header += [f"Q. {n} /2.00" for n in range(1, QUIZ_QUESTIONS + 1)]
    rows = [header]
    opened = datetime.combine(session.end_date, datetime.min.time()) + timedelta(hours=15)
    for enrolment in enrolments:
        person = enrolment.person
        first, _space, surname = person.full_name.partition(" ")
        ability = rng.gauss(0.6, 0.9)
        start = opened + timedelta(minutes=rng.randint(0, 60 * 24))
        attempts = rng.choices([1, 2, 3], weights=[60, 28, 12])[0]
        for number in range(attempts):
            start += timedelta(hours=rng.randint(2, 30))
            marks = [2 * _logistic(ability - d + rng.gauss(0, 0.7)) for d in QUIZ_DIFFICULTY]
            marks = [round(m * 2) / 2 for m in marks]  # Moodle's partial credit in halves
            # A few questions left unanswered ("-"), counted as 0 in the grade.
            cells = ["-" if rng.random() < 0.03 else f"{m:.2f}" for m in marks]
            grade = sum(m for m, c in zip(marks, cells, strict=True) if c != "-")
            minutes = rng.randint(9, 40)
            rows.append([surname or first, first, "", "", person.email, "Finished", _moodle_date(start),
                         _moodle_date(start + timedelta(minutes=minutes)), f"{minutes} mins", f"{grade:.2f}", *cells])  # fmt: skip
            ability += rng.uniform(0.1, 0.6) if number == 0 else rng.uniform(-0.3, 0.4)
        if rng.random() < 0.08:  # one more attempt opened and never submitted
            start += timedelta(days=1)
            rows.append([surname or first, first, "", "", person.email, "Never submitted", _moodle_date(start), "-",
                         "-", "-", *["-"] * QUIZ_QUESTIONS])  # fmt: skip
    rows.append(["Overall average", "", "", "", "", "", "", "", "", "", *[""] * QUIZ_QUESTIONS])
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _moodle_date(moment: datetime) -> str:
    return moment.strftime("%d %B %Y  %I:%M %p").lstrip("0")


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _scores(rng: random.Random, n: int, max_score: int, shift: float) -> list[tuple[float | None, float | None]]:
    """Pre scores around 45 % of the maximum; each participant closes a share of the gap to 100 %."""
    pairs = []
    for _ in range(n):
        pre_pct = min(0.95, max(0.05, rng.gauss(0.45 + shift, 0.15)))
        gain_share = min(0.9, max(-0.1, rng.gauss(0.45, 0.2)))
        post_pct = min(1.0, max(0.0, pre_pct + (1 - pre_pct) * gain_share))
        pre = round(pre_pct * max_score * 2) / 2
        post = round(post_pct * max_score * 2) / 2
        # A few were late for the pre exam or left before the post exam.
        pairs.append((None if rng.random() < 0.05 else pre, None if rng.random() < 0.07 else post))
    return pairs


def _participants(rng: random.Random, countries: list[str], n: int) -> list[Person]:
    people = list(Person.objects.filter(country_id__in=countries, user__isnull=True).order_by("pk"))
    return rng.sample(people, min(n, len(people)))


def _attendance(rng: random.Random, session: TrainingSession, enrolments) -> None:
    dates = session.dates()
    entries = {}
    for enrolment in enrolments:
        missed = rng.choices([0, 1, 2], weights=[80, 14, 6])[0] if len(dates) > 1 else rng.choices([0, 1], [92, 8])[0]
        days = sorted(rng.sample(dates, max(0, len(dates) - missed)))
        entries[enrolment.pk] = {"days": days, "completed": len(days) >= 0.8 * len(dates)}
    services.attendance_save(session=session, entries=entries)


def _item_scores(rng: random.Random, session: TrainingSession, trainer: User, dimensions: dict) -> None:
    forms = []
    for code in ("A", "B"):
        form = ExamForm.objects.create(session=session, code=code)
        Question.objects.bulk_create(
            Question(form=form, number=i, topic=topic, dimension=dimensions.get(dimension), points=Decimal(5))
            for i, (topic, dimension) in enumerate(ITEM_TOPICS, 1)
        )
        forms.append(form)
    enrolments = list(session.enrolments.order_by("pk"))
    base = {e.pk: rng.gauss(0, 0.7) for e in enrolments}
    learned = {e.pk: rng.uniform(0.4, 1.9) for e in enrolments}
    for phase in ("pre", "post"):
        for form_index, form in enumerate(forms):
            questions = list(form.questions.order_by("number"))
            entries = {}
            for i, enrolment in enumerate(enrolments):
                # Half the group takes A as the pre exam and B as the post exam, the other half the reverse.
                if (i % 2 == form_index) != (phase == "post"):
                    continue
                ability = base[enrolment.pk] + (learned[enrolment.pk] if phase == "post" else 0.0)
                ability += 0.15 if form.code == "B" else 0.0
                entries[enrolment.pk] = {
                    q.pk: str(round(5 * _logistic(ability - ITEM_DIFFICULTY[q.number - 1] + rng.gauss(0, 0.8))))
                    for q in questions
                }
            services.item_scores_save(session=session, phase=phase, form=form, entries=entries, by=trainer)


@transaction.atomic
def seed(out) -> None:
    rng = random.Random(2024)
    dimensions = {d.code: d for d in Dimension.objects.filter(framework__in=Framework.objects.latest_versions())}
    courses = {}
    for code, title, dimension_codes, hours, description in COURSES:
        course, created = Course.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "duration_hours": hours,
                "description": description,
                "translations": COURSE_TRANSLATIONS.get(code, {}),
            },
        )
        if created:
            course.dimensions.set([dimensions[c] for c in dimension_codes if c in dimensions])
        courses[code] = course
    trainer = User.objects.filter(username="trainer").first()
    manager = User.objects.filter(username="manager").first()
    made = 0
    for (
        title,
        course_code,
        engagement_title,
        countries,
        kind,
        modality,
        start,
        end,
        venue,
        n,
        max_score,
        pass_mark,
        shift,
        by_trainer,
    ) in SESSIONS:
        if TrainingSession.objects.filter(title=title).exists():
            continue
        engagement = Engagement.objects.filter(title=engagement_title).first() if engagement_title else None
        session = services.session_save(
            session=TrainingSession(
                title=title,
                course=courses[course_code],
                engagement=engagement,
                kind=kind,
                modality=modality,
                start_date=start,
                end_date=end,
                venue=venue,
                language="es",
                max_score=Decimal(max_score),
                pass_mark=Decimal(pass_mark),
            ),
            by=manager,
            countries=countries,
            trainers=[trainer] if by_trainer and trainer else [],
        )
        people = _participants(rng, countries, n)
        services.enrol_people(session=session, people=people)
        enrolments = list(session.enrolments.order_by("pk"))
        _attendance(rng, session, enrolments)
        if title == ITEM_SESSION:
            _item_scores(rng, session, trainer, dimensions)
        else:
            rows = [
                ResultInput(key=str(i), person_id=e.person_id, pre_score=pre, post_score=post)
                for i, (e, (pre, post)) in enumerate(
                    zip(enrolments, _scores(rng, len(enrolments), max_score, shift), strict=True)
                )
            ]
            if title == QUIZ_SESSION:
                for row in rows:
                    row.post_score = MISSING  # the post exam comes from the quiz
            results_upsert(session=session, rows=rows, by=trainer, source=ScoreChange.Source.IMPORT)
        if title == QUIZ_SESSION and trainer is not None:
            took_quiz = [e for e in session.enrolments.select_related("person").order_by("pk") if rng.random() < 0.92]
            report = _moodle_grades_report(rng, session, took_quiz)
            outcome = quiz_results_import(
                session=session,
                upload=SimpleUploadedFile("quiz-grades.csv", report, content_type="text/csv"),
                exam="post",
                source=MOODLE,
                dry_run=False,
                by=trainer,
            )
            if outcome.errors:
                raise RuntimeError(f"The demo quiz did not import: {outcome.errors[:3]}")
        made += 1
    first = TrainingSession.objects.filter(title=SESSIONS[0][0]).first()
    if first is not None and not first.enrolments.filter(certificates__isnull=False).exists():
        issued = services.certificates_issue(session=first, by=trainer)
        if issued:
            # One PDF rendered now, to show; the others are prepared from the certificates page.
            certificate_request_pdf(certificate=issued[0], by=trainer)
        if len(issued) > 1:
            # One revoked: the public check of its code says when and why.
            certificate_revoke(
                certificate=issued[-1], by=None, reason="Issued before the corrected post-exam score was recorded."
            )
    out.write(f"trainings: {Course.objects.count()} courses, {made} new sessions")
