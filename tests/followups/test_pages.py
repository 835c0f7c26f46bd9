"""The follow-up pages: what each person sees and may do, bad input to every form, and queries
that do not grow with the data."""

from datetime import date
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from assessments.models import Roundtable
from followups import services
from followups.models import CoordinationResponse
from followups.models import FollowupRound
from followups.models import FollowupSchedule
from followups.models import Indicator
from followups.models import IndicatorValue
from followups.models import Measure
from followups.models import StatusUpdate
from tests.assessments.factories import add_finding
from tests.assessments.factories import add_recommendation
from tests.assessments.factories import make_assessment
from tests.factories import AgencyFactory
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.followups.factories import pdf_upload
from tests.followups.factories import report

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def scene(db):
    engagement = other_engagement("PE", title="Peru follow-up")
    manager = make_user(Role.MANAGER, "PE", username="maria", email="maria@example.org")
    engagement.managers.add(manager)
    measure = make_measure(engagement, title="Adopt the inspection plan", due_date=timezone.localdate() - timedelta(10))
    return {
        "engagement": engagement,
        "measure": measure,
        "round": open_round(engagement),
        "manager": manager,
        "counterpart": make_user(Role.COUNTERPART, "PE", username="rosa", email="rosa@example.org"),
        "counterpart_co": make_user(Role.COUNTERPART, "CO", username="camilo"),
        "viewer": make_user(Role.VIEWER, "PE", username="vic"),
    }


def as_user(client, user):
    client.force_login(user)
    return client


def report_url(scene, measure=None):
    return reverse("followups:update_save", args=[scene["round"].pk, (measure or scene["measure"]).pk])


def test_a_counterpart_reports_with_a_file_and_the_manager_verifies_it(
    client, scene, django_capture_on_commit_callbacks, mailoutbox
):
    # given: the counterpart opens the round from the overview
    as_user(client, scene["counterpart"])
    overview = client.get(reverse("followups:index")).content.decode()
    assert reverse("followups:round_detail", args=[scene["round"].pk]) + "#report" in overview
    # when: they submit a report with a file
    response = client.post(
        report_url(scene),
        {"action": "submit", "status": "in_progress", "progress_pct": "40", "narrative": "The plan is drafted.",
         "files": [pdf_upload("plan.pdf")]},
    )  # fmt: skip
    assert response.status_code == 302
    update = StatusUpdate.objects.get()
    assert (update.state, update.submitted_by, update.evidence.count()) == ("submitted", scene["counterpart"], 1)
    # then: the manager finds it in the inbox and returns it; the counterpart is told by e-mail
    as_user(client, scene["manager"])
    inbox = client.get(reverse("followups:inbox")).content.decode()
    assert "Adopt the inspection plan" in inbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("followups:update_detail", args=[update.pk]), {"decision": "return", "comment": "Add the annex."}
        )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["rosa@example.org"]]
    # and the counterpart reports again, which the manager accepts
    as_user(client, scene["counterpart"])
    round_page = client.get(reverse("followups:round_detail", args=[scene["round"].pk])).content.decode()
    assert "Add the annex." in round_page
    client.post(
        report_url(scene),
        {"action": "submit", "status": "in_progress", "progress_pct": "45", "narrative": "Annex attached.",
         "files": [pdf_upload("annex.pdf")]},
    )  # fmt: skip
    second = StatusUpdate.objects.get(state="submitted")
    as_user(client, scene["manager"])
    client.post(reverse("followups:update_detail", args=[second.pk]), {"decision": "accept", "comment": ""})
    measure = Measure.objects.get(pk=scene["measure"].pk)
    assert (measure.status, measure.verified_status, measure.progress_pct) == ("in_progress", "in_progress", 45)
    assert "Nothing to verify." in client.get(reverse("followups:inbox")).content.decode()


def test_a_counterpart_cannot_read_or_report_for_another_country(client, scene):
    as_user(client, scene["counterpart_co"])
    for url in (
        reverse("followups:board", args=[scene["engagement"].pk]),
        reverse("followups:round_detail", args=[scene["round"].pk]),
        reverse("followups:measure_detail", args=[scene["measure"].pk]),
        reverse("followups:indicators", args=[scene["engagement"].pk]),
        report_url(scene),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        report_url(scene), {"action": "submit", "status": "in_progress", "progress_pct": "5", "narrative": "x"}
    )
    assert response.status_code == 404
    assert not StatusUpdate.objects.exists()
    assert "Peru follow-up" not in client.get(reverse("followups:index")).content.decode()


def test_a_measure_of_another_engagement_cannot_be_reported_in_this_round(client, scene):
    foreign = make_measure(other_engagement("PE"))
    as_user(client, scene["counterpart"])
    assert client.get(report_url(scene, foreign)).status_code == 404


def test_a_viewer_reads_statuses_but_neither_reports_nor_sees_files(client, scene):
    report(scene["measure"], scene["round"], scene["counterpart"], files=[pdf_upload("secret.pdf")])
    as_user(client, scene["viewer"])
    board = client.get(reverse("followups:board", args=[scene["engagement"].pk])).content.decode()
    assert "Awaiting verification" in board and "Report on the current round" not in board
    history = client.get(reverse("followups:measure_detail", args=[scene["measure"].pk])).content.decode()
    assert "Work started." in history and "secret.pdf" not in history
    assert client.get(report_url(scene)).status_code == 403


def test_the_board_tells_what_is_late_and_what_is_verified(client, scene):
    # given: an overdue measure with a pending report, and a verified implemented one
    report(scene["measure"], scene["round"], scene["counterpart"])
    done = make_measure(scene["engagement"], title="Reactivate the committee", due_date=date(2030, 1, 1))
    services.status_update_save(
        measure=done, round_=None, by=scene["manager"], status="implemented", progress_pct=100, narrative="Met.",
        submit=True,
    )  # fmt: skip
    # when
    html = as_user(client, scene["manager"]).get(reverse("followups:board", args=[scene["engagement"].pk]))
    page = html.content.decode()
    # then
    assert "overdue by 10 days" in page
    assert "Awaiting verification" in page and "✓ </span>Verified" in page
    overdue_only = client.get(reverse("followups:board", args=[scene["engagement"].pk]) + "?show=overdue")
    assert "Adopt the inspection plan" in overdue_only.content.decode()
    assert "Reactivate the committee" not in overdue_only.content.decode()


def test_the_board_draws_the_coordination_score_of_each_round(client, scene):
    # given: a round whose coordination questionnaire scores 50 out of 100
    CoordinationResponse.objects.create(
        round=scene["round"], meetings=4, information_exchange=3, joint_operations=2, mechanism=1, industry=0
    )
    # when
    page = as_user(client, scene["manager"]).get(reverse("followups:board", args=[scene["engagement"].pk]))
    html = page.content.decode()
    # then: the chart is an accessible SVG whose description carries the figure
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html and 'role="img"' in html
    assert "Coordination score per round, 0 to 100" in html
    assert f"{scene['round'].opens_on:%m/%Y}: 50" in html
    # and: its figures are in the rounds table, in another part of the page, which the chart points at
    assert 'aria-details="rounds-table"' in html and 'id="rounds-table"' in html


def test_the_engagement_page_links_to_its_board(client, scene):
    page = as_user(client, scene["viewer"]).get(reverse("engagements:detail", args=[scene["engagement"].pk]))
    assert reverse("followups:board", args=[scene["engagement"].pk]) in page.content.decode()


# ---- Bad input: a clear error and nothing saved ----------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "submit", "status": "in_progress", "progress_pct": "150", "narrative": "x"},
         "Ensure this value is less than or equal to 100."),
        ({"action": "submit", "status": "in_progress", "progress_pct": "lots", "narrative": "x"}, "Enter a whole number."),
        ({"action": "submit", "status": "implemented", "progress_pct": "50", "narrative": "x"},
         "An implemented measure is 100% done."),
        ({"action": "submit", "status": "in_progress", "progress_pct": "50", "narrative": ""},
         "Say what was done since the last report"),
        ({"action": "submit", "status": "cancelled", "progress_pct": "0", "narrative": "x"},
         "Select a valid choice. cancelled is not one of the available choices."),
        ({"action": "draft", "status": "", "progress_pct": "", "narrative": ""}, "This field is required."),
    ],
)  # fmt: skip
def test_bad_reports_on_the_page_show_the_error_and_save_nothing(client, scene, data, message):
    response = as_user(client, scene["counterpart"]).post(report_url(scene), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_a_report_after_the_round_closed_is_refused(client, scene):
    services.round_close(round_=scene["round"], by=scene["manager"])
    response = as_user(client, scene["counterpart"]).post(
        report_url(scene), {"action": "submit", "status": "in_progress", "progress_pct": "5", "narrative": "x"}
    )
    assert "This round is closed; report in the current round." in response.content.decode()
    assert not StatusUpdate.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "return", "comment": ""}, "Say what needs to change"),
        ({"decision": "maybe"}, "Select a valid choice."),
        ({}, "This field is required."),
    ],
)
def test_bad_reviews_show_the_error_and_change_nothing(client, scene, data, message):
    update = report(scene["measure"], scene["round"], scene["counterpart"])
    response = as_user(client, scene["manager"]).post(reverse("followups:update_detail", args=[update.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    update.refresh_from_db()
    assert update.state == "submitted"


def test_a_counterpart_cannot_verify(client, scene):
    update = report(scene["measure"], scene["round"], scene["counterpart"])
    colleague = make_user(Role.COUNTERPART, "PE")
    response = as_user(client, colleague).post(
        reverse("followups:update_detail", args=[update.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"title": "", "priority": "medium"}, "This field is required."),
        ({"title": "X", "priority": "urgent"}, "Select a valid choice."),
        ({"title": "X", "priority": "medium", "due_date": "2026-02-30"}, "Enter a valid date."),
        ({"title": "X", "priority": "medium", "responsible_agency": "foreign"}, "Select a valid choice."),
    ],
)
def test_bad_measures_on_the_page_are_refused(client, scene, data, field_message):
    if data.get("responsible_agency") == "foreign":
        data = {**data, "responsible_agency": AgencyFactory(country_id="CO").pk}
    response = as_user(client, scene["manager"]).post(
        reverse("followups:measure_create", args=[scene["engagement"].pk]), data
    )
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert Measure.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"start_date": "2026-03-01", "cadence_months": "0", "response_days": "30"}, "greater than or equal to 1"),
        ({"start_date": "2026-03-01", "cadence_months": "36", "response_days": "30"}, "less than or equal to 24"),
        ({"start_date": "2026-03-01", "cadence_months": "6", "response_days": "0"}, "greater than or equal to 1"),
        ({"start_date": "2026-03-01", "cadence_months": "6", "response_days": "30", "end_date": "2025-01-01"},
         "The last date must not be before the first round."),
        ({"start_date": "", "cadence_months": "6", "response_days": "30"}, "This field is required."),
    ],
)  # fmt: skip
def test_bad_schedules_are_refused(client, scene, data, message):
    response = as_user(client, scene["manager"]).post(
        reverse("followups:schedule_edit", args=[scene["engagement"].pk]), data
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FollowupSchedule.objects.exists()


@pytest.mark.parametrize(
    ("due", "message"), [("2001-01-01", "must not be in the past"), ("soon", "Enter a valid date.")]
)
def test_a_round_with_a_bad_due_date_is_refused_on_the_page(client, scene, due, message):
    response = as_user(client, scene["manager"]).post(
        reverse("followups:round_create", args=[scene["engagement"].pk]), {"due_date": due}
    )
    assert message in response.content.decode()
    assert FollowupRound.objects.count() == 1


def test_closing_a_round_twice_says_so(client, scene):
    as_user(client, scene["manager"])
    client.post(reverse("followups:round_close", args=[scene["round"].pk]))
    response = client.post(reverse("followups:round_close", args=[scene["round"].pk]), follow=True)
    assert "This round is already closed." in response.content.decode()


def test_indicator_values_and_the_questionnaire_are_checked(client, scene):
    indicator = Indicator.objects.create(engagement=scene["engagement"], name="Inspections")
    url = reverse("followups:round_indicators", args=[scene["round"].pk])
    as_user(client, scene["counterpart"])
    negative = client.post(url, {f"value_{indicator.pk}": "-3"})
    assert "Ensure this value is greater than or equal to 0." in negative.content.decode()
    partial = client.post(url, {f"value_{indicator.pk}": "3", "q_meetings": "2"})
    assert "Answer every question, or none to answer later." in partial.content.decode()
    out_of_scale = client.post(
        url,
        {
            "q_meetings": "9",
            "q_information_exchange": "1",
            "q_joint_operations": "1",
            "q_mechanism": "1",
            "q_industry": "1",
        },
    )
    assert "Select a valid choice." in out_of_scale.content.decode()
    assert not IndicatorValue.objects.exists() and not CoordinationResponse.objects.exists()
    good = client.post(
        url,
        {f"value_{indicator.pk}": "12", "q_meetings": "4", "q_information_exchange": "3", "q_joint_operations": "2",
         "q_mechanism": "1", "q_industry": "0", "comment": "Monthly meetings."},
    )  # fmt: skip
    assert good.status_code == 302
    assert IndicatorValue.objects.get().value == 12
    assert CoordinationResponse.objects.get().score == 50.0


@pytest.mark.parametrize(
    ("name", "message"), [("", "This field is required."), ("inspections", "already has an indicator")]
)
def test_bad_indicators_are_refused(client, scene, name, message):
    Indicator.objects.create(engagement=scene["engagement"], name="Inspections")
    response = as_user(client, scene["manager"]).post(
        reverse("followups:indicator_create", args=[scene["engagement"].pk]), {"name": name, "order": "0"}
    )
    assert message in response.content.decode()
    assert Indicator.objects.count() == 1


def test_measures_agreed_at_a_roundtable_are_followed_up(client, scene):
    assessment = make_assessment(engagement=scene["engagement"])
    recommendation = add_recommendation(add_finding(assessment))
    roundtable = Roundtable.objects.create(
        engagement=scene["engagement"], assessment=assessment, title="Lima roundtable", date=date(2026, 3, 1)
    )
    agency = AgencyFactory(country_id="PE")
    url = reverse("followups:roundtable_measures", args=[roundtable.pk])
    as_user(client, scene["manager"])
    response = client.post(
        url,
        {"title": "Amend the law", "responsible_agency": agency.pk, "due_date": "2027-06-30",
         "recommendation": recommendation.pk, "priority": "high"},
    )  # fmt: skip
    assert response.status_code == 302
    measure = roundtable.measures.get()
    assert (measure.engagement, measure.recommendation, measure.responsible_agency) == (
        scene["engagement"],
        recommendation,
        agency,
    )
    assert list(recommendation.measures.all()) == [measure]
    # a recommendation of another engagement is not offered, and is refused
    elsewhere = add_recommendation(add_finding(make_assessment(country="PE", title="Other")))
    refused = client.post(url, {"title": "Y", "priority": "low", "recommendation": elsewhere.pk})
    assert "Select a valid choice." in refused.content.decode()
    blank = client.post(url, {"title": "", "priority": "low"})
    assert "This field is required." in blank.content.decode()
    assert roundtable.measures.count() == 1
    # the counterpart reads the list but cannot add
    as_user(client, scene["counterpart"])
    assert "Amend the law" in client.get(url).content.decode()
    assert client.post(url, {"title": "Z", "priority": "low"}).status_code == 403


# ---- Queries do not grow with the data ------------------------------------------------------


def _queries(client, url) -> int:
    # Measured on the second visit: the first may fill what the header caches for a minute (the
    # unread-notification count), and both measurements must start from the same state.
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(scene, n):
    start = Measure.objects.count()
    created = []
    for i in range(start, start + n):
        measure = make_measure(scene["engagement"], title=f"Measure {i}")
        services.status_update_save(
            measure=measure, round_=None, by=scene["manager"], status="in_progress", progress_pct=10, narrative="x",
            submit=True,
        )  # fmt: skip
        Indicator.objects.create(engagement=scene["engagement"], name=f"Indicator {i}")
        created.append(measure)
    round_ = open_round(scene["engagement"])
    for measure in created[: n // 2]:
        report(measure, round_, scene["counterpart"], files=[pdf_upload()])
    scene["round"] = round_


@pytest.mark.parametrize(
    "url",
    [
        lambda s: reverse("followups:board", args=[s["engagement"].pk]),
        lambda s: reverse("followups:index"),
        lambda s: reverse("followups:inbox"),
        lambda s: reverse("followups:round_detail", args=[s["round"].pk]),
        lambda s: reverse("followups:measure_detail", args=[s["measure"].pk]),
        lambda s: reverse("followups:indicators", args=[s["engagement"].pk]),
    ],
    ids=["board", "overview", "inbox", "round", "measure", "indicators"],
)
def test_pages_take_as_many_queries_for_many_rows_as_for_few(client, scene, url, django_assert_max_num_queries):
    as_user(client, scene["manager"])
    _grow(scene, 2)
    few = _queries(client, url(scene))
    _grow(scene, 12)
    many = _queries(client, url(scene))
    assert many == few
    with django_assert_max_num_queries(40):
        client.get(url(scene))
