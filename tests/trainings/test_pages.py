"""The trainings pages as a trainer and a manager use them: enrolment, attendance, the score grid,
exams with question scores, results, exports, the calendar invitation and sessions planning."""

import csv
import io
from datetime import date
from decimal import Decimal

import numpy as np
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar
from scipy import stats

from engagements.models import Person
from tests.factories import PersonFactory
from tests.trainings.factories import CourseFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from tests.trainings.factories import exam_form
from trainings.models import AttendanceDay
from trainings.models import Enrolment
from trainings.models import ItemScore
from trainings.models import ScoreChange
from trainings.models import TrainingSession


@pytest.fixture
def session(world):
    return SessionFactory(
        engagement=world.engagement,
        trainers=[world.users["trainer"]],
        start_date=date(2025, 5, 5),
        end_date=date(2025, 5, 9),
    )


@pytest.fixture
def trainer(client, world):
    client.force_login(world.users["trainer"])
    return client


def enrol(session, n, agency=None, **scores):
    return [EnrolmentFactory(session=session, person=PersonFactory(agency=agency), **scores) for _ in range(n)]


# Score grid -------------------------------------------------------------------------------------


def test_the_grid_saves_every_score_at_once_with_history(trainer, session, world):
    a, b = enrol(session, 2)
    url = reverse("trainings:scores", args=[session.pk])

    response = trainer.post(
        url,
        {f"pre_score-{a.pk}": "20", f"post_score-{a.pk}": "41,5", f"pre_score-{b.pk}": "", f"post_score-{b.pk}": "33"},
    )

    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.pre_score, a.post_score, b.pre_score, b.post_score) == (Decimal(20), Decimal("41.5"), None, Decimal(33))
    assert ScoreChange.objects.filter(changed_by=world.users["trainer"], source="grid").count() == 3


def test_an_invalid_cell_saves_nothing_and_shows_each_error_next_to_its_cell(trainer, session):
    a, b = enrol(session, 2, pre_score=Decimal(10))
    url = reverse("trainings:scores", args=[session.pk])

    response = trainer.post(
        url,
        {
            f"pre_score-{a.pk}": "12",
            f"post_score-{a.pk}": "55",
            f"pre_score-{b.pk}": "abc",
            f"post_score-{b.pk}": "30",
        },
    )

    assert response.status_code == 200
    assert sorted(Enrolment.objects.values_list("pre_score", flat=True)) == [Decimal(10), Decimal(10)]
    assert ScoreChange.objects.count() == 0
    html = response.content.decode()
    assert "2 scores are not valid; nothing was saved." in html
    assert f'id="err-post_score-{a.pk}">The score is above the maximum of 50.</div>' in html
    assert f'id="err-pre_score-{b.pk}">Enter a number.</div>' in html
    assert 'value="55"' in html  # what was typed stays in the cell


def test_the_grid_labels_every_cell_by_participant_and_column(trainer, session):
    (a,) = enrol(session, 1)

    html = trainer.get(reverse("trainings:scores", args=[session.pk])).content.decode()

    assert f'aria-labelledby="name-{a.pk} col-pre_score"' in html
    assert f'id="name-{a.pk}">{a.person.full_name}</th>' in html
    assert 'id="col-pre_score">Pre score</th>' in html
    assert "<script>" not in html and "score-grid.js" in html


def test_the_preview_computes_the_statistics_of_the_draft_without_saving(trainer, session):
    a, b = enrol(session, 2)
    url = reverse("trainings:score_preview", args=[session.pk])

    response = trainer.post(
        url,
        {
            f"pre_score-{a.pk}": "20",
            f"post_score-{a.pk}": "40",
            f"pre_score-{b.pk}": "30",
            f"post_score-{b.pk}": "x",
        },
    )

    body = response.json()
    assert body["figures"]["n_paired"] == "1"
    assert body["figures"]["pre_mean_pct"] == "40.0 %"
    assert body["figures"]["mean_gain_pct"] == "+40.0"
    assert body["errors"] == {f"post_score-{b.pk}": "Enter a number."}
    assert not Enrolment.objects.filter(pre_score__isnull=False).exists()


def test_with_parallel_forms_the_grid_records_which_form_each_participant_took(trainer, session):
    form_a, form_b = exam_form(session, "A"), exam_form(session, "B")
    a, b = enrol(session, 2)

    trainer.post(
        reverse("trainings:scores", args=[session.pk]),
        {
            f"pre_form-{a.pk}": "A",
            f"pre_score-{a.pk}": "20",
            f"post_form-{a.pk}": "B",
            f"post_score-{a.pk}": "40",
            f"pre_form-{b.pk}": "B",
            f"pre_score-{b.pk}": "25",
            f"post_form-{b.pk}": "A",
            f"post_score-{b.pk}": "45",
        },
    )

    assert list(Enrolment.objects.order_by("pk").values_list("pre_form", "post_form")) == [
        (form_a.pk, form_b.pk),
        (form_b.pk, form_a.pk),
    ]


# Question scores and item analysis --------------------------------------------------------------


def test_question_scores_set_the_exam_score_and_feed_the_item_analysis(trainer, session, world):
    form = exam_form(session, "A", points=(10, 10, 10, 10, 10))
    questions = list(form.questions.order_by("number"))
    enrolments = enrol(session, 4)
    # question 5 is missed by nearly everyone after training
    sheets = [(10, 8, 6, 4, 0), (10, 10, 8, 6, 2), (8, 6, 4, 2, 0), (10, 10, 10, 10, 4)]
    data = {
        f"item-{e.pk}-{q.pk}": str(points)
        for e, sheet in zip(enrolments, sheets, strict=True)
        for q, points in zip(questions, sheet, strict=True)
    }

    response = trainer.post(reverse("trainings:item_scores", args=[session.pk, form.pk, "post"]), data)

    assert response.status_code == 302
    assert sorted(Enrolment.objects.values_list("post_score", flat=True)) == [20, 28, 36, 44]
    assert set(Enrolment.objects.values_list("post_form", flat=True)) == {form.pk}
    assert ItemScore.objects.count() == 20
    assert ScoreChange.objects.filter(source="items").count() == 4
    results = trainer.get(reverse("trainings:session_results", args=[session.pk]))
    (block,) = results.context["items"]
    assert (block["n_pre"], block["n_post"]) == (0, 4)
    facility = [row["post"]["facility"] for row in block["rows"]]
    assert facility == pytest.approx([0.95, 0.85, 0.7, 0.55, 0.15])
    assert [row["pre"]["facility"] for row in block["rows"]] == [None] * 5
    assert [row["flag"] for row in block["rows"]] == [False, False, False, False, True]
    # discrimination: the item–rest correlation, computed independently here
    item = np.array([s[4] for s in sheets], dtype=float)
    rest = np.array([sum(s[:4]) for s in sheets], dtype=float)
    assert block["rows"][4]["post"]["discrimination"] == pytest.approx(stats.pearsonr(item, rest).statistic)
    assert "still missed after training" in results.content.decode()


def test_a_question_score_above_its_points_saves_nothing(trainer, session):
    form = exam_form(session, "A", points=(10, 10))
    (e,) = enrol(session, 1)
    q1, q2 = form.questions.order_by("number")

    response = trainer.post(
        reverse("trainings:item_scores", args=[session.pk, form.pk, "pre"]),
        {f"item-{e.pk}-{q1.pk}": "11", f"item-{e.pk}-{q2.pk}": "5"},
    )

    assert response.status_code == 200
    assert "The score is above the maximum of 10." in response.content.decode()
    assert ItemScore.objects.count() == 0


def test_questions_must_add_up_to_the_maximum_score(trainer, session):
    form = exam_form(session, "A", points=())
    url = reverse("trainings:exam_form_edit", args=[session.pk, form.pk])
    data = {
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-0-number": "1",
        "questions-0-points": "20",
        "questions-1-number": "2",
        "questions-1-points": "20",
    }

    response = trainer.post(url, data)

    assert response.status_code == 200
    assert "add up to 40; the session&#x27;s maximum score is 50" in response.content.decode()
    assert form.questions.count() == 0
    data["questions-1-points"] = "30"
    assert trainer.post(url, data).status_code == 302
    assert form.questions.count() == 2


def test_an_exam_form_code_is_unique_in_its_session(trainer, session):
    exam_form(session, "A")

    response = trainer.post(reverse("trainings:exam_forms", args=[session.pk]), {"code": "a"})

    assert response.status_code == 200
    assert "This session has a form A already." in response.content.decode()


# Participants and attendance --------------------------------------------------------------------


def test_a_trainer_enrols_people_of_the_sessions_country_only(trainer, session, world):
    url = reverse("trainings:participants", args=[session.pk])

    trainer.post(url, {"person": [world.person.pk, world.other_person.pk]})

    assert list(session.enrolments.values_list("person", flat=True)) == [world.person.pk]
    search = trainer.get(url, {"q": world.other_person.full_name})
    assert world.other_person.full_name not in [p.full_name for p in search.context["candidates"]]


def test_a_new_participant_is_added_to_the_register_and_enrolled(trainer, session, world):
    response = trainer.post(
        reverse("trainings:participant_create", args=[session.pk]),
        {"full_name": "Gloria Ticona", "sex": "female", "email": "", "country": "PE", "agency": world.agency.pk},
    )

    assert response.status_code == 302
    enrolment = session.enrolments.get()
    assert (enrolment.person.full_name, enrolment.agency) == ("Gloria Ticona", world.agency)


def test_a_new_participant_with_an_email_already_registered_is_refused(trainer, session, world):
    response = trainer.post(
        reverse("trainings:participant_create", args=[session.pk]),
        {"full_name": "Dup", "sex": "female", "email": world.person.email.upper(), "country": "PE"},
    )

    assert response.status_code == 200
    assert "A person with this e-mail already exists." in response.content.decode()
    assert not Person.objects.filter(full_name="Dup").exists()


def test_an_email_used_in_a_country_the_trainer_cannot_see_is_neither_revealed_nor_refused(trainer, session, world):
    # given: the address belongs to someone of another country, outside the trainer's scope
    # when: the trainer adds a new participant of the session's country with it
    response = trainer.post(
        reverse("trainings:participant_create", args=[session.pk]),
        {"full_name": "Same Address", "sex": "female", "email": world.other_person.email, "country": "PE"},
    )
    # then: the page says nothing about the other person; the participant is a person of Peru
    assert response.status_code == 302
    added = session.enrolments.get().person
    assert (added.full_name, added.country_id) == ("Same Address", "PE")
    assert added.pk != world.other_person.pk


def test_attendance_per_day_counts_the_days(trainer, session):
    (e,) = enrol(session, 1)

    trainer.post(
        reverse("trainings:attendance", args=[session.pk]),
        {"mode": "day", f"day-{e.pk}-2025-05-05": "on", f"day-{e.pk}-2025-05-06": "on", f"completed-{e.pk}": "on"},
    )

    e.refresh_from_db()
    assert (e.days_attended, e.completed) == (2, True)
    assert list(AttendanceDay.objects.values_list("day", flat=True)) == [date(2025, 5, 5), date(2025, 5, 6)]


def test_attendance_in_total_replaces_the_days_and_refuses_too_many(trainer, session):
    (e,) = enrol(session, 1)
    url = reverse("trainings:attendance", args=[session.pk])
    trainer.post(url, {"mode": "day", f"day-{e.pk}-2025-05-05": "on"})

    bad = trainer.post(url, {"mode": "total", f"total-{e.pk}": "6"})
    assert bad.status_code == 200 and "Days attended must lie between 0 and 5." in bad.content.decode()

    trainer.post(url, {"mode": "total", f"total-{e.pk}": "4,5"})
    e.refresh_from_db()
    assert e.days_attended == Decimal("4.5")
    assert AttendanceDay.objects.count() == 0


# Results, exports, invitation -------------------------------------------------------------------


def test_a_viewer_sees_the_results_figures_and_chart_without_names(client, world, session):
    (e,) = enrol(session, 1, pre_score=Decimal(10), post_score=Decimal(30))
    client.force_login(world.users["viewer"])

    response = client.get(reverse("trainings:session_results", args=[session.pk]))

    html = response.content.decode()
    assert "<svg" in html and "Participant 1" in html
    assert e.person.full_name not in html
    assert response.context["outcome"]["n_paired"] == 1


def test_the_results_page_does_not_grow_in_queries_with_participants(trainer, session, django_assert_max_num_queries):
    enrol(session, 40, pre_score=Decimal(10), post_score=Decimal(30))

    with django_assert_max_num_queries(20):
        response = trainer.get(reverse("trainings:session_results", args=[session.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("page", ["scores", "session_detail", "certificates", "attendance", "participants"])
def test_session_pages_do_not_grow_in_queries_with_participants(trainer, session, page, django_assert_max_num_queries):
    exam_form(session, "A")
    enrol(session, 40, pre_score=Decimal(10), post_score=Decimal(40), days_attended=5)

    with django_assert_max_num_queries(25):
        response = trainer.get(reverse(f"trainings:{page}", args=[session.pk]))

    assert response.status_code == 200


def test_the_session_list_does_not_grow_in_queries_with_sessions(client, world, django_assert_max_num_queries):
    for _ in range(15):
        s = SessionFactory(engagement=world.engagement)
        enrol(s, 2)
    client.force_login(world.users["admin"])

    with django_assert_max_num_queries(12):
        response = client.get(reverse("trainings:session_list"))

    assert len(response.context["page"]) == 15


def test_exports_neutralise_formulas_in_csv_and_xlsx(trainer, session, world):
    person = PersonFactory(full_name='=HYPERLINK("http://evil.example","x")', agency=world.agency)
    EnrolmentFactory(session=session, person=person, pre_score=Decimal(10))
    world.agency.acronym = "@SUM(A1)"
    world.agency.save()

    csv_response = trainer.get(reverse("trainings:results_download", args=[session.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][4] == "'@SUM(A1)"

    xlsx_response = trainer.get(reverse("trainings:results_download", args=[session.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
    values = [cell.value for cell in sheet[2]]
    assert values[1].startswith("'=HYPERLINK") and values[4] == "'@SUM(A1)"
    assert values[-2] == 10  # scores stay numbers


def test_the_template_round_trips_through_the_import(trainer, session):
    enrol(session, 3, pre_score=Decimal(10))
    template = trainer.get(reverse("trainings:results_download", args=[session.pk, "xlsx"]))

    response = trainer.post(
        reverse("trainings:import", args=[session.pk]),
        {"file": SimpleUploadedFile("template.xlsx", template.content)},
    )

    assert response.status_code == 302
    assert session.enrolments.count() == 3
    assert ScoreChange.objects.count() == 0  # nothing changed


def test_the_invitation_is_an_all_day_event_over_the_sessions_dates(client, world, session):
    client.force_login(world.users["counterpart"])

    response = client.get(reverse("trainings:session_invitation", args=[session.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["summary"]) == session.title
    assert event.decoded("dtstart") == date(2025, 5, 5)
    assert event.decoded("dtend") == date(2025, 5, 10)


# Planning ---------------------------------------------------------------------------------------


def test_a_manager_plans_a_regional_session_with_trainers(client, world):
    client.force_login(world.users["global_manager"])
    course = CourseFactory()

    response = client.post(
        reverse("trainings:session_create"),
        {
            "course": course.pk,
            "title": "Regional workshop",
            "kind": "workshop",
            "modality": "in_person",
            "start_date": "2026-03-02",
            "end_date": "2026-03-04",
            "language": "es",
            "countries": ["PE", "CO"],
            "trainers": [world.users["trainer"].pk],
            "max_score": "40",
            "pass_mark": "28",
            "attendance_threshold_pct": "80",
        },
    )

    assert response.status_code == 302
    session = TrainingSession.objects.get(title="Regional workshop")
    assert sorted(session.countries.values_list("code", flat=True)) == ["CO", "PE"]
    assert list(session.trainers.all()) == [world.users["trainer"]]


def test_a_session_needs_countries_or_an_engagement(client, world):
    client.force_login(world.users["manager"])

    response = client.post(
        reverse("trainings:session_create"),
        {
            "title": "Nowhere",
            "kind": "training",
            "modality": "virtual",
            "start_date": "2026-03-02",
            "end_date": "2026-03-01",
            "language": "es",
            "max_score": "40",
            "pass_mark": "50",
            "attendance_threshold_pct": "80",
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert {"countries", "end_date", "pass_mark"} <= set(form.errors)
    assert not TrainingSession.objects.exists()


def test_a_trainer_edits_details_but_not_countries_or_trainers(trainer, session):
    page = trainer.get(reverse("trainings:session_edit", args=[session.pk]))

    assert "countries" not in page.context["form"].fields
    assert "trainers" not in page.context["form"].fields
