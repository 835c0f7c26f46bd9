"""Online quiz results into a session's pre or post exam: Moodle's quiz Grades report (several attempts
per person, unfinished attempts, "-" answers, the average row, localised exports) and a generic sheet of
marks per question, through the service, the page and the API."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from engagements.models import Person
from tests.factories import PersonFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from tests.trainings.factories import exam_form
from trainings import selectors
from trainings.models import Enrolment
from trainings.models import ExamForm
from trainings.models import ItemScore
from trainings.models import Question
from trainings.models import ScoreChange
from trainings.quiz import parse_datetime
from trainings.quiz_import import quiz_results_import

# As Moodle 4 downloads the Grades report of a 10-point quiz with four questions (English site).
EN_HEADER = [
    "Surname", "First name", "Institution", "Department", "Email address", "State", "Started on", "Completed",
    "Time taken", "Grade/10.00", "Q. 1 /2.50", "Q. 2 /2.50", "Q. 3 /2.50", "Q. 4 /2.50",
]  # fmt: skip


def moodle_row(surname, first, email, state, started, completed, grade, *marks):
    taken = "12 mins 5 secs" if completed != "-" else "-"
    return [surname, first, "", "", email, state, started, completed, taken, grade, *marks]


AVERAGE = ["Overall average", "", "", "", "", "", "", "", "", "6.50", "1.75", "1.50", "1.25", "2.00"]


def as_csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(rows, name="quiz-grades.csv"):
    return SimpleUploadedFile(name, as_csv(rows), content_type="text/csv")


@pytest.fixture
def session(world):
    return SessionFactory(
        engagement=world.engagement,
        trainers=[world.users["trainer"]],
        max_score=Decimal(10),
        pass_mark=Decimal(6),
    )


@pytest.fixture
def ana(world, session):
    person = PersonFactory(full_name="Ana Pérez", email="ana.perez@example.org", agency=world.agency)
    return EnrolmentFactory(session=session, person=person, pre_score=Decimal(4))


@pytest.fixture
def luis(world, session):
    person = PersonFactory(full_name="Luis Quispe", email="luis.quispe@example.org", agency=world.agency)
    return EnrolmentFactory(session=session, person=person, pre_score=Decimal(5))


def run(session, world, rows, *, exam="post", source="moodle", dry_run=False, enrol_new=False, upload=None):
    return quiz_results_import(
        session=session,
        upload=upload or csv_file(rows),
        exam=exam,
        source=source,
        dry_run=dry_run,
        enrol_new=enrol_new,
        by=world.users["trainer"],
    )


def snapshot():
    return (
        Person.objects.count(),
        Enrolment.objects.count(),
        ExamForm.objects.count(),
        Question.objects.count(),
        ItemScore.objects.count(),
        ScoreChange.objects.count(),
        sorted(Enrolment.objects.values_list("pk", "pre_score", "post_score", "post_form_id")),
    )


# Ana tried three times (8.00 best, 7.50 last by date although it is not the last row), Luis once
# and left a second attempt in progress.
SEVERAL_ATTEMPTS = [
    EN_HEADER,
    moodle_row("Pérez", "Ana", "ana.perez@example.org", "Finished", "3 March 2025  10:15 AM",
               "3 March 2025  10:27 AM", "5.00", "2.50", "0.00", "2.50", "0.00"),
    moodle_row("Pérez", "Ana", "Ana.Perez@example.org", "Finished", "5 March 2025  09:00 AM",
               "5 March 2025  09:20 AM", "7.50", "2.50", "2.50", "0.00", "2.50"),
    moodle_row("Pérez", "Ana", "ana.perez@example.org", "Finished", "4 March 2025  04:40 PM",
               "4 March 2025  05:02 PM", "8.00", "2.50", "2.50", "2.50", "0.50"),
    moodle_row("Quispe", "Luis", "luis.quispe@example.org", "Finished", "3 March 2025  11:00 AM",
               "3 March 2025  11:30 AM", "6.00", "2.50", "1.00", "-", "2.50"),
    moodle_row("Quispe", "Luis", "luis.quispe@example.org", "In progress", "6 March 2025  08:00 AM",
               "-", "-", "-", "-", "-", "-"),
    AVERAGE,
]  # fmt: skip


def test_the_best_finished_attempt_counts_under_the_best_policy(world, session, ana, luis):
    outcome = run(session, world, SEVERAL_ATTEMPTS)

    assert outcome.errors == []
    ana.refresh_from_db()
    luis.refresh_from_db()
    assert ana.post_score == Decimal("8.00")
    assert luis.post_score == Decimal("6.00")
    kept = {p.email.lower(): (p.attempt.row, p.finished_attempts) for p in outcome.participants}
    assert kept == {"ana.perez@example.org": (4, 3), "luis.quispe@example.org": (5, 1)}


def test_the_last_finished_attempt_by_date_counts_under_the_last_policy(world, session, ana, luis):
    session.attempt_policy = "last"
    session.save()

    outcome = run(session, world, SEVERAL_ATTEMPTS)

    assert outcome.errors == []
    ana.refresh_from_db()
    assert ana.post_score == Decimal("7.50")  # row 3, started on 5 March: the latest, not the last row
    marks = dict(ItemScore.objects.filter(enrolment=ana, phase="post").values_list("question__number", "points"))
    assert marks == {1: Decimal("2.50"), 2: Decimal("2.50"), 3: Decimal("0.00"), 4: Decimal("2.50")}


def test_unfinished_attempts_and_the_average_row_are_left_out_and_reported(world, session, ana, luis):
    rows = [
        *SEVERAL_ATTEMPTS[:-1],
        moodle_row("Rojas", "Eva", "eva.rojas@example.org", "Overdue", "6 March 2025  08:00 AM", "-", "-",
                   "-", "-", "-", "-"),
        moodle_row("Rojas", "Eva", "eva.rojas@example.org", "Never submitted", "6 March 2025  09:00 AM", "-",
                   "-", "-", "-", "-", "-"),
        ["Soto", "Raúl", "", "", "raul.soto@example.org", "-", "-", "-", "-", "-", "-", "-", "-", "-"],
        AVERAGE,
    ]  # fmt: skip

    outcome = run(session, world, rows, dry_run=True)

    assert outcome.errors == []
    ignored = {(a["row"], a["state"]) for a in outcome.ignored_attempts}
    assert ignored == {(6, "in_progress"), (7, "overdue"), (8, "abandoned"), (9, "none")}
    # Eva and Raúl have no finished attempt: nobody to enrol; the average row is no participant.
    assert sorted(p.email.lower() for p in outcome.participants) == ["ana.perez@example.org", "luis.quispe@example.org"]


def test_a_dash_records_no_mark_and_keeps_the_sheet_out_of_the_item_analysis(world, session, ana, luis):
    outcome = run(session, world, SEVERAL_ATTEMPTS)

    assert outcome.errors == []
    luis_marks = dict(ItemScore.objects.filter(enrolment=luis).values_list("question__number", "points"))
    assert luis_marks == {1: Decimal("2.50"), 2: Decimal("1.00"), 4: Decimal("2.50")}  # no row for question 3
    (analysis,) = selectors.item_analysis(session)
    assert analysis["n_post"] == 1  # only Ana's sheet is complete


def test_a_dry_run_saves_nothing_and_says_what_the_import_would_do(world, session, ana, luis):
    before = snapshot()

    outcome = run(session, world, SEVERAL_ATTEMPTS, dry_run=True)

    assert snapshot() == before
    data = outcome.as_json()
    assert data["status"] == "done" and data["dry_run"] is True
    assert data["summary"]["results"] == {"created": 0, "updated": 2, "unchanged": 0}
    assert data["summary"]["exam_forms"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert data["exam_form"]["code"] == "M" and data["exam_form"]["created"] is True
    assert [q["points"] for q in data["exam_form"]["questions"]] == [Decimal("2.50")] * 4


def test_the_import_creates_form_m_records_the_form_taken_and_the_history(world, session, ana, luis):
    outcome = run(session, world, SEVERAL_ATTEMPTS)

    assert outcome.errors == []
    form = ExamForm.objects.get(session=session)
    assert form.code == "M"
    assert list(form.questions.values_list("number", "points")) == [(n, Decimal("2.50")) for n in (1, 2, 3, 4)]
    ana.refresh_from_db()
    assert ana.post_form == form
    changes = ScoreChange.objects.filter(enrolment__session=session)
    assert sorted(changes.values_list("source", "phase", "old_score", "new_score")) == [
        ("quiz", "post", None, Decimal("6.00")),
        ("quiz", "post", None, Decimal("8.00")),
    ]
    assert {c.changed_by for c in changes} == {world.users["trainer"]}


def test_an_existing_form_with_the_same_questions_and_points_receives_the_marks(world, session, ana, luis):
    exam_form(session, code="A", points=(5, 5))
    form = exam_form(session, code="B", points=(2.5, 2.5, 2.5, 2.5))

    outcome = run(session, world, SEVERAL_ATTEMPTS)

    assert outcome.errors == []
    assert ExamForm.objects.filter(session=session).count() == 2
    assert set(ItemScore.objects.values_list("question__form__code", flat=True)) == {"B"}
    ana.refresh_from_db()
    assert ana.post_form == form


def test_a_quiz_graded_out_of_another_maximum_is_refused_naming_both(world, session, ana):
    header = [*EN_HEADER[:9], "Grade/20.00", *EN_HEADER[10:]]
    rows = [header, SEVERAL_ATTEMPTS[1]]
    before = snapshot()

    outcome = run(session, world, rows)

    assert snapshot() == before
    assert outcome.status == "failed"
    (error,) = [e for e in outcome.errors if e["column"] == "Grade/20.00"]
    assert "20" in error["message"] and "10" in error["message"]


def test_marks_above_a_questions_maximum_and_a_grade_above_the_maximum_are_each_reported(world, session, ana, luis):
    rows = [
        EN_HEADER,
        moodle_row("Pérez", "Ana", "ana.perez@example.org", "Finished", "3 March 2025  10:15 AM",
                   "3 March 2025  10:27 AM", "10.50", "3.00", "2.50", "2.50", "2.50"),
        moodle_row("Quispe", "Luis", "luis.quispe@example.org", "Finished", "3 March 2025  11:00 AM",
                   "3 March 2025  11:30 AM", "6.00", "2.50", "9", "abc", "2.50"),
    ]  # fmt: skip
    before = snapshot()

    outcome = run(session, world, rows)

    assert snapshot() == before
    cells = {(e["row"], e["column"]) for e in outcome.errors}
    assert cells == {(2, "Grade/10.00"), (2, "Q. 1 /2.50"), (3, "Q. 2 /2.50"), (3, "Q. 3 /2.50")}


def test_one_email_for_two_different_people_is_an_error(world, session, ana):
    rows = [
        EN_HEADER,
        SEVERAL_ATTEMPTS[1],
        moodle_row("Pérez", "Rosa", "ana.perez@example.org", "Finished", "4 March 2025  10:15 AM",
                   "4 March 2025  10:27 AM", "9.00", "2.50", "2.50", "2.50", "1.50"),
    ]  # fmt: skip

    outcome = run(session, world, rows, dry_run=True)

    assert [(e["row"], e["column"]) for e in outcome.errors] == [(3, "Email address")]
    assert "row 2" in outcome.errors[0]["message"]


def test_new_participants_are_listed_by_the_dry_run_and_enrolled_only_once_confirmed(world, session, ana):
    rows = [
        EN_HEADER,
        SEVERAL_ATTEMPTS[1],
        moodle_row("Mamani", "Rosa", "rosa.mamani@example.org", "Finished", "4 March 2025  10:15 AM",
                   "4 March 2025  10:27 AM", "9.00", "2.50", "2.50", "2.50", "1.50"),
    ]  # fmt: skip
    registered = PersonFactory(full_name="Jorge Vega", email="JORGE.VEGA@example.org", agency=world.agency)
    rows.append(
        moodle_row("Vega", "Jorge", "jorge.vega@example.org", "Finished", "4 March 2025  10:15 AM",
                   "4 March 2025  10:27 AM", "7.00", "2.50", "2.50", "2.00", "0.00")
    )  # fmt: skip
    before = snapshot()

    dry = run(session, world, rows, dry_run=True)
    unconfirmed = run(session, world, rows)

    assert snapshot() == before
    assert [(n["email"], n["in_register"]) for n in dry.as_json()["new_participants"]] == [
        ("rosa.mamani@example.org", False),
        ("jorge.vega@example.org", True),
    ]
    assert dry.errors == []
    assert {(e["row"], e["column"]) for e in unconfirmed.errors} == {(3, "Email address"), (4, "Email address")}

    confirmed = run(session, world, rows, enrol_new=True)

    assert confirmed.errors == []
    rosa = Person.objects.get(email="rosa.mamani@example.org")
    assert (rosa.full_name, rosa.country_id) == ("Rosa Mamani", "PE")
    assert Enrolment.objects.get(session=session, person=rosa).post_score == Decimal("9.00")
    assert Enrolment.objects.get(session=session, person=registered).post_score == Decimal("7.00")
    assert Person.objects.filter(email__iexact="jorge.vega@example.org").count() == 1
    assert confirmed.summary["results"] == {"created": 2, "updated": 1, "unchanged": 0}
    assert confirmed.summary["people"]["created"] == 1


def test_a_person_of_another_country_is_not_matched(world, session, ana):
    other = PersonFactory(email="colombia@example.org", agency=world.other_agency)
    rows = [
        EN_HEADER,
        moodle_row("Otro", "Ana", "colombia@example.org", "Finished", "4 March 2025  10:15 AM",
                   "4 March 2025  10:27 AM", "9.00", "2.50", "2.50", "2.50", "1.50"),
    ]  # fmt: skip

    outcome = run(session, world, rows, dry_run=True)

    (participant,) = outcome.participants
    assert participant.match == "new" and participant.person is None
    assert not Enrolment.objects.filter(person=other).exists()


def test_a_spanish_moodle_export_with_decimal_commas_is_read(world, session, ana, luis):
    session.attempt_policy = "last"
    session.save()
    header = [
        "Apellido(s)", "Nombre", "Institución", "Departamento", "Dirección de correo", "Estado", "Comenzado el",
        "Finalizado", "Tiempo requerido", "Calificación/10,00", "P. 1 /5,00", "P. 2 /5,00",
    ]  # fmt: skip
    rows = [
        header,
        ["Pérez", "Ana", "", "", "ana.perez@example.org", "Finalizado", "4 de marzo de 2025  16:40",
         "4 de marzo de 2025  17:02", "22 minutos", "8,50", "5,00", "3,50"],
        ["Pérez", "Ana", "", "", "ana.perez@example.org", "Finalizado", "3 de marzo de 2025  10:15",
         "3 de marzo de 2025  10:27", "12 minutos", "9,00", "5,00", "4,00"],
        ["Quispe", "Luis", "", "", "luis.quispe@example.org", "En curso", "6 de marzo de 2025  08:00", "-", "-",
         "-", "-", "-"],
        ["Promedio general", "", "", "", "", "", "", "", "", "8,75", "5,00", "3,75"],
    ]  # fmt: skip

    outcome = run(session, world, rows, upload=SimpleUploadedFile("calificaciones.xlsx", as_xlsx(rows)))

    assert outcome.errors == []
    ana.refresh_from_db()
    assert ana.post_score == Decimal("8.50")  # the last (4 March), although the first one was better
    assert [(a["row"], a["state"]) for a in outcome.ignored_attempts] == [(4, "in_progress")]


def test_a_french_moodle_export_is_read(world, session, ana):
    header = [
        "Nom", "Prénom", "Adresse de courriel", "État", "Commencé le", "Terminé", "Temps utilisé", "Note/10,00",
        "Q. 1 /10,00",
    ]  # fmt: skip
    rows = [
        header,
        ["Pérez", "Ana", "ana.perez@example.org", "Terminé", "3 mars 2025  10:15", "3 mars 2025  10:27", "12 min",
         "7,25", "7,25"],
        ["Moyenne générale", "", "", "", "", "", "", "7,25", "7,25"],
    ]  # fmt: skip

    outcome = run(session, world, rows)

    assert outcome.errors == []
    ana.refresh_from_db()
    assert ana.post_score == Decimal("7.25")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13 March 2024  10:15 PM", (2024, 3, 13, 22, 15)),
        ("13 March 2024, 12:05 AM", (2024, 3, 13, 0, 5)),
        ("13 de marzo de 2024  10:15", (2024, 3, 13, 10, 15)),
        ("13 março 2024  10:15", (2024, 3, 13, 10, 15)),
        ("1 février 2024  09:05", (2024, 2, 1, 9, 5)),
        ("13/03/24, 10:15", (2024, 3, 13, 10, 15)),
        ("2024-03-13 10:15:30", (2024, 3, 13, 10, 15)),
    ],
)
def test_moodles_dates_are_read_in_each_language(text, expected):
    parsed = parse_datetime(text)
    assert (parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute) == expected


@pytest.mark.parametrize("text", ["-", "", "not a date", "31 February 2024  10:00"])
def test_what_is_not_a_date_is_none(text):
    assert parse_datetime(text) is None


def test_an_unreadable_date_under_the_last_policy_is_an_error(world, session, ana):
    session.attempt_policy = "last"
    session.save()
    rows = [
        EN_HEADER,
        moodle_row("Pérez", "Ana", "ana.perez@example.org", "Finished", "sometime", "-", "5.00", "2.50", "0.00",
                   "2.50", "0.00"),
        SEVERAL_ATTEMPTS[2],
    ]  # fmt: skip

    outcome = run(session, world, rows)

    assert [(e["row"], e["column"]) for e in outcome.errors] == [(2, "Started on")]


def test_a_file_without_the_moodle_columns_is_refused_with_each_missing_one(world, session):
    outcome = run(session, world, [["Surname", "First name", "Grade"], ["Pérez", "Ana", "5"]])

    assert outcome.status == "failed"
    assert {e["column"] for e in outcome.errors} == {"Email address", "State", "Grade/…"}


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(world, session):
    upload = SimpleUploadedFile("grades.pdf", b"%PDF-1.4 not a sheet")

    outcome = run(session, world, [], upload=upload)

    assert outcome.status == "failed"
    assert outcome.errors[0]["row"] is None and "csv" in outcome.errors[0]["message"].lower()


# Generic sheets --------------------------------------------------------------------------------


def test_a_generic_sheet_takes_the_maxima_from_the_form_and_computes_the_total(world, session, ana, luis):
    form = exam_form(session, code="A", points=(4, 3, 3))
    rows = [
        ["start", "email", "full_name", "Q1", "Q2", "Q3", "_uuid"],
        ["2025-03-03", "ana.perez@example.org", "Ana Pérez", "4", "2,5", "3", "x1"],
        ["2025-03-03", "LUIS.QUISPE@example.org", "", "1", "", "3", "x2"],
    ]

    outcome = run(session, world, rows, source="generic")

    assert outcome.errors == []
    assert outcome.ignored_columns == ["start", "_uuid"]
    ana.refresh_from_db()
    luis.refresh_from_db()
    assert (ana.post_score, luis.post_score) == (Decimal("9.50"), Decimal("4.00"))
    assert (ana.post_form, luis.post_form) == (form, form)
    assert ItemScore.objects.filter(enrolment=luis).count() == 2


def test_a_generic_sheet_reports_marks_above_the_forms_maxima_and_conflicting_rows(world, session, ana):
    exam_form(session, code="A", points=(5, 5))
    rows = [
        ["email", "1", "2"],
        ["ana.perez@example.org", "6", "5"],
        ["ana.perez@example.org", "4", "5"],
        ["nobody", "1", "1"],
    ]

    outcome = run(session, world, rows, source="generic", dry_run=True)

    assert {(e["row"], e["column"]) for e in outcome.errors} == {(2, "1"), (3, "email"), (4, "email"), (4, "full_name")}


def test_a_generic_sheet_needs_a_form_with_its_questions(world, session, ana):
    outcome = run(session, world, [["email", "Q1"], ["ana.perez@example.org", "1"]], source="generic")

    assert outcome.status == "failed"
    assert "Exam page" in outcome.errors[0]["message"]


def test_a_generic_sheet_with_parallel_forms_names_the_form_per_row(world, session, ana, luis):
    exam_form(session, code="A", points=(5, 5))
    exam_form(session, code="B", points=(4, 6))
    rows = [
        ["email", "form", "Q1", "Q2"],
        ["ana.perez@example.org", "a", "5", "5"],
        ["luis.quispe@example.org", "B", "4", "6"],
    ]

    without_form = run(session, world, [["email", "Q1", "Q2"], ["ana.perez@example.org", "5", "5"]], source="generic")
    outcome = run(session, world, rows, source="generic")

    assert [e["column"] for e in without_form.errors] == ["form"]
    assert outcome.errors == []
    luis.refresh_from_db()
    assert (luis.post_score, luis.post_form.code) == (Decimal("10.00"), "B")


# Statistics read what was imported ---------------------------------------------------------------


def test_the_item_analysis_and_the_pre_post_figures_read_the_imported_marks(world, session, ana, luis):
    eva = EnrolmentFactory(
        session=session,
        person=PersonFactory(full_name="Eva Rojas", email="eva.rojas@example.org", agency=world.agency),
        pre_score=Decimal(3),
    )
    rows = [
        EN_HEADER,
        moodle_row("Pérez", "Ana", "ana.perez@example.org", "Finished", "3 March 2025  10:15 AM",
                   "3 March 2025  10:27 AM", "10.00", "2.50", "2.50", "2.50", "2.50"),
        moodle_row("Quispe", "Luis", "luis.quispe@example.org", "Finished", "3 March 2025  11:00 AM",
                   "3 March 2025  11:30 AM", "5.00", "2.50", "2.50", "0.00", "0.00"),
        moodle_row("Rojas", "Eva", "eva.rojas@example.org", "Finished", "3 March 2025  11:00 AM",
                   "3 March 2025  11:30 AM", "2.50", "2.50", "0.00", "0.00", "0.00"),
    ]  # fmt: skip

    outcome = run(session, world, rows)

    assert outcome.errors == []
    (analysis,) = selectors.item_analysis(session)
    assert analysis["n_post"] == 3 and analysis["n_pre"] == 0
    facility = {row["question"].number: row["post"]["facility"] for row in analysis["rows"]}
    # Question 1: everyone 2.5 of 2.5; question 2: 5 of 7.5; questions 3 and 4: 2.5 of 7.5.
    assert facility == pytest.approx({1: 1.0, 2: 2 / 3, 3: 1 / 3, 4: 1 / 3})
    flags = {row["question"].number: row["flag"] for row in analysis["rows"]}
    assert flags == {1: False, 2: False, 3: True, 4: True}
    outcome_figures = selectors.session_outcome(session)
    # pre 4, 5, 3 and post 10, 5, 2.5 out of 10: means 40 % and 58.33 %, gains 60, 0, -5.
    assert outcome_figures["n_paired"] == 3
    assert outcome_figures["pre_mean_pct"] == pytest.approx(40.0)
    assert outcome_figures["post_mean_pct"] == pytest.approx(175 / 3)
    assert outcome_figures["mean_gain_pct"] == pytest.approx(55 / 3)
    assert outcome_figures["post_pass_rate"] == pytest.approx(1 / 3)
    eva.refresh_from_db()
    assert eva.post_score == Decimal("2.50")


# The page ---------------------------------------------------------------------------------------


def page_url(session):
    return reverse("trainings:quiz_import", args=[session.pk])


def test_the_page_checks_the_file_shows_the_dry_run_then_imports_on_confirmation(client, world, session, ana):
    rows = [
        EN_HEADER,
        *SEVERAL_ATTEMPTS[1:4],
        moodle_row("Mamani", "Rosa", "rosa.mamani@example.org", "Finished", "4 March 2025  10:15 AM",
                   "4 March 2025  10:27 AM", "9.00", "2.50", "2.50", "2.50", "1.50"),
    ]  # fmt: skip
    client.force_login(world.users["trainer"])
    before = snapshot()

    checked = client.post(page_url(session), {"exam": "post", "source": "moodle", "file": csv_file(rows)})

    assert checked.status_code == 200
    assert snapshot() == before
    page = checked.content.decode()
    assert "rosa.mamani@example.org" in page and "New: will be added and enrolled" in page
    assert "form M will be created" in page
    token = checked.context["confirm"].initial["token"]

    without = client.post(page_url(session), {"token": token})
    assert without.status_code == 200 and snapshot() == before
    assert "is not a participant of this session" in without.content.decode()

    done = client.post(page_url(session), {"token": token, "enrol_new": "on"})

    assert done.status_code == 302
    assert done.headers["Location"] == reverse("trainings:session_results", args=[session.pk])
    ana.refresh_from_db()
    assert ana.post_score == Decimal("8.00")
    assert Enrolment.objects.get(person__email="rosa.mamani@example.org").post_score == Decimal("9.00")
    again = client.post(page_url(session), {"token": token, "enrol_new": "on"})
    assert again.status_code == 302 and again.headers["Location"] == page_url(session)  # used up


def test_the_page_lists_every_error_and_offers_no_confirmation(client, world, session, ana):
    rows = [
        EN_HEADER,
        moodle_row("Pérez", "Ana", "ana.perez@example.org", "Finished", "3 March 2025  10:15 AM",
                   "3 March 2025  10:27 AM", "11.00", "3.00", "2.50", "2.50", "2.50"),
    ]  # fmt: skip
    client.force_login(world.users["trainer"])

    response = client.post(page_url(session), {"exam": "pre", "source": "moodle", "file": csv_file(rows)})

    assert response.status_code == 200
    assert response.context["confirm"] is None
    assert len(response.context["outcome"].errors) == 2
    assert "Errors in the file: 2." in response.content.decode()


def test_a_token_of_another_user_or_session_confirms_nothing(client, world, session, ana):
    client.force_login(world.users["trainer"])
    checked = client.post(page_url(session), {"exam": "post", "source": "moodle", "file": csv_file(SEVERAL_ATTEMPTS)})
    token = checked.context["confirm"].initial["token"]
    other = SessionFactory(
        engagement=world.engagement, trainers=[world.users["trainer"]], max_score=Decimal(10), pass_mark=Decimal(6)
    )
    before = snapshot()

    elsewhere = client.post(page_url(other), {"token": token})
    client.force_login(world.users["manager"])
    someone_else = client.post(page_url(session), {"token": token})

    assert (elsewhere.status_code, someone_else.status_code) == (302, 302)
    assert snapshot() == before


# The API ----------------------------------------------------------------------------------------


def api_url(session):
    return f"/api/v1/training-sessions/{session.pk}/results/import/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_dry_run_then_import_answer_the_imports_shape(world, session, ana, luis):
    client = api(world.users["trainer"])
    before = snapshot()

    dry = client.post(
        api_url(session), {"file": csv_file(SEVERAL_ATTEMPTS), "exam": "post", "source": "moodle", "dry_run": "true"},
        format="multipart",
    )  # fmt: skip

    assert dry.status_code == 200, dry.content
    assert snapshot() == before
    body = dry.json()
    assert {"status", "dry_run", "summary", "errors"} <= set(body)
    assert body["status"] == "done" and body["dry_run"] is True and body["errors"] == []
    assert body["summary"]["results"] == {"created": 0, "updated": 2, "unchanged": 0}
    assert body["ignored_attempts"][0]["row"] == 6

    done = client.post(
        api_url(session), {"file": csv_file(SEVERAL_ATTEMPTS), "exam": "post", "source": "moodle", "dry_run": "false"},
        format="multipart",
    )  # fmt: skip

    assert done.status_code == 200
    assert done.json()["dry_run"] is False
    ana.refresh_from_db()
    assert ana.post_score == Decimal("8.00")


def test_the_api_answers_every_error_with_sheet_row_and_column(world, session, ana):
    rows = [
        EN_HEADER,
        moodle_row("Pérez", "Ana", "ana.perez@example.org", "Finished", "3 March 2025  10:15 AM",
                   "3 March 2025  10:27 AM", "11.00", "3.00", "2.50", "2.50", "2.50"),
    ]  # fmt: skip

    response = api(world.users["manager"]).post(
        api_url(session), {"file": csv_file(rows), "exam": "pre", "source": "moodle", "dry_run": "true"},
        format="multipart",
    )  # fmt: skip

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "failed"
    assert body["errors"] == [
        {"sheet": "results", "row": 2, "column": "Grade/10.00", "message": "The score is above the maximum of 10."},
        {"sheet": "results", "row": 2, "column": "Q. 1 /2.50", "message": "The score is above the maximum of 2.5."},
    ]


@pytest.mark.parametrize("missing", ["file", "exam", "source", "dry_run"])
def test_the_api_names_a_missing_parameter(world, session, missing):
    data = {"file": csv_file(SEVERAL_ATTEMPTS), "exam": "post", "source": "moodle", "dry_run": "true"}
    del data[missing]

    response = api(world.users["trainer"]).post(api_url(session), data, format="multipart")

    assert response.status_code == 400
    assert missing in response.json()


def test_the_api_refuses_those_who_do_not_run_the_session(world, session):
    data = {"file": csv_file(SEVERAL_ATTEMPTS), "exam": "post", "source": "moodle", "dry_run": "true"}
    other = SessionFactory(engagement=world.other_engagement, max_score=Decimal(10), pass_mark=Decimal(6))

    assert api(world.users["viewer"]).post(api_url(session), data, format="multipart").status_code == 403
    data["file"] = csv_file(SEVERAL_ATTEMPTS)
    assert api(world.users["trainer"]).post(api_url(other), data, format="multipart").status_code == 404
