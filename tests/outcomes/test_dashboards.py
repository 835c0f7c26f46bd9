"""The dashboards' figures against independent computations on generated data, and their query
counts at two data sizes."""

import calendar
import math
from copy import copy
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.scoping import EVERYWHERE
from assessments.selectors import maturity_comparison
from engagements.models import Country
from followups.models import FollowupRound
from followups.models import Measure
from followups.selectors import followup_compliance
from followups.selectors import measure_status_counts
from outcomes import selectors
from outcomes.models import ActivityTarget
from outcomes.models import OutcomeTarget
from tests.factories import make_user
from tests.outcomes import expected
from tests.outcomes.factories import generate

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

# The figures are computed for a fixed day, not the real one: the generated history and the
# independent computations then agree whatever the date the suite runs on (the pages of the last
# test read the clock themselves, so their data stays relative to it).
TODAY = date(2026, 9, 15)

PHASES = ["planning", "assessment", "roundtable", "capacity_building", "follow_up", "closed"]


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _window(target, year: int, today: date) -> tuple[date, date]:
    return target.period_start, min(target.period_end, date(year, 12, 31), today)


def _in(day, start, end) -> bool:
    return day is not None and start <= day <= end


def expected_activity(data, target, year, today) -> int:
    start, end = _window(target, year, today)
    kind = target.session_kind
    country = target.country_id

    def here(record):
        return country is None or record["country"] == country

    metric = target.metric
    if metric == "sessions_held":
        return len(
            {
                s["id"]
                for s in data.sessions
                if _in(s["start"], start, end)
                and (not kind or s["kind"] == kind)
                and (country is None or country in s["countries"])
            }
        )
    if metric == "people_trained":
        return len(
            {
                r["person_id"]
                for r in data.results
                if _in(r["start"], start, end) and (not kind or r["kind"] == kind) and here(r)
            }
        )
    if metric == "engagements_started":
        return sum(1 for e in data.engagements if _in(e["start_date"], start, end) and here(e))
    if metric == "engagements_reaching_phase":
        threshold = PHASES.index(target.phase)
        count = 0
        for e in data.engagements:
            reached = [day for phase, day in e["changes"] if PHASES.index(phase) >= threshold]
            if reached and _in(min(reached), start, end) and here(e):
                count += 1
        return count
    if metric == "assessments_completed":
        return sum(1 for a in data.assessments if a["status"] == "final" and _in(a["end"], start, end) and here(a))
    if metric == "roundtables_held":
        return sum(1 for r in data.roundtables if _in(r["date"], start, end) and here(r))
    if metric == "measures_agreed":
        return sum(1 for m in data.measures if _in(m["agreed_on"], start, end) and here(m))
    raise AssertionError(metric)


def _first_implemented(measure) -> date | None:
    days = [
        h["day"] for h in measure["history"] if h["state"] in ("submitted", "accepted") and h["status"] == "implemented"
    ]
    return min(days) if days else None


def expected_outcome(data, target, year, today) -> float | None:
    start, end = _window(target, year, today)
    metric = target.metric
    if metric in ("post_mean_pct", "mean_gain_pct", "normalized_gain", "post_pass_rate"):
        rows = [
            r
            for r in data.results
            if _in(r["start"], start, end) and (not target.session_kind or r["kind"] == target.session_kind)
        ]
        value = expected.training(rows)[metric]
        return None if value is None else (100 * value if metric == "post_pass_rate" else value)
    if metric == "implementation_rate":
        measures = [m for m in data.measures if m["agreed_on"] <= end]
        rate = expected.measures(measures, end if end < today else None)["implementation_rate"]
        return None if rate is None else 100 * rate
    if metric == "implemented_within":
        months = target.within_months
        eligible = [
            m
            for m in data.measures
            if _in(m["agreed_on"], start, end)
            and add_months(m["agreed_on"], months) <= end
            and expected.status_on(m) != "cancelled"
        ]
        if not eligible:
            return None
        done = [
            m
            for m in eligible
            if _first_implemented(m) is not None and _first_implemented(m) <= add_months(m["agreed_on"], months)
        ]
        return 100 * len(done) / len(eligible)
    if metric == "followup_compliance":
        rate = expected.followup([r for r in data.rounds if _in(r["due"], start, end)], today)["compliance_rate"]
        return None if rate is None else 100 * rate
    if metric == "maturity_change":
        changes = []
        for code in data.countries:
            finals = sorted(
                (a for a in data.assessments if a["country"] == code and a["status"] == "final" and a["end"] <= end),
                key=lambda a: (a["start"], a["id"]),
            )
            if len(finals) < 2 or finals[-1]["end"] < start:
                continue
            block = expected.maturity([a for a in data.assessments if a["country"] == code], end)
            if block["change"]:
                changes.append(sum(block["change"].values()) / len(block["change"]))
        return sum(changes) / len(changes) if changes else None
    raise AssertionError(metric)


def _targets(programme):
    """One target per metric, with periods that start before and end after the data."""
    period = {"period_start": date(2023, 1, 1), "period_end": date(2027, 12, 31)}
    activity = [
        ActivityTarget.objects.create(
            programme=programme, title="Sessions", metric="sessions_held", target_value=6, **period
        ),
        ActivityTarget.objects.create(
            programme=programme,
            title="Webinars",
            metric="sessions_held",
            session_kind="webinar",
            target_value=3,
            **period,
        ),
        ActivityTarget.objects.create(
            programme=programme, title="People", metric="people_trained", target_value=30, **period
        ),
        ActivityTarget.objects.create(
            programme=programme, title="Started", metric="engagements_started", target_value=3, **period
        ),
        ActivityTarget.objects.create(
            programme=programme,
            title="In follow-up",
            metric="engagements_reaching_phase",
            phase="roundtable",
            target_value=2,
            **period,
        ),
        ActivityTarget.objects.create(
            programme=programme, title="Assessed", metric="assessments_completed", target_value=2, **period
        ),
        ActivityTarget.objects.create(
            programme=programme, title="Roundtables", metric="roundtables_held", target_value=9, **period
        ),
        ActivityTarget.objects.create(
            programme=programme, title="Agreed", metric="measures_agreed", target_value=5, **period
        ),
        ActivityTarget.objects.create(
            programme=programme,
            title="Peru sessions",
            metric="sessions_held",
            country_id="PE",
            target_value=2,
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
        ),
    ]
    outcome = [
        OutcomeTarget.objects.create(
            programme=programme, title=metric, metric=metric, comparator="gte", target_value=value, **period
        )
        for metric, value in (
            ("post_mean_pct", 70),
            ("mean_gain_pct", 15),
            ("normalized_gain", 0.3),
            ("post_pass_rate", 50),
            ("implementation_rate", 40),
            ("followup_compliance", 60),
            ("maturity_change", 0.5),
        )
    ]
    outcome.append(
        OutcomeTarget.objects.create(
            programme=programme,
            title="Implemented within 12 months",
            metric="implemented_within",
            within_months=12,
            comparator="gte",
            target_value=50,
            **period,
        )
    )
    outcome.append(
        OutcomeTarget.objects.create(
            programme=programme,
            title="Webinar post-test mean at most",
            metric="post_mean_pct",
            session_kind="webinar",
            comparator="lte",
            target_value=99,
            **period,
        )
    )
    return activity, outcome


def _status(evaluation_kind, actual, target, expected_by_now, comparator="gte"):
    if actual is None:
        return "no_data"
    if evaluation_kind == "activity":
        if actual >= target:
            return "met"
        return "on_track" if actual >= expected_by_now else "behind"
    reached = actual >= target if comparator == "gte" else actual <= target
    return "met" if reached else "behind"


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_target_actual_and_status_matches_independent_computation(year):
    # given
    data = generate(size=2, seed=21, today=TODAY)
    activity, outcome = _targets(data.programme)
    today = TODAY
    # when
    dashboard = selectors.programme_dashboard(scope=EVERYWHERE, programme=data.programme, year=year, today=today)
    # then
    by_title = {e.target.title: e for e in dashboard.evaluations}
    # A year shows the targets whose period overlaps it.
    activity = [t for t in activity if t.period_start.year <= year <= t.period_end.year]
    outcome = [t for t in outcome if t.period_start.year <= year <= t.period_end.year]
    assert set(by_title) == {t.title for t in [*activity, *outcome]}
    for target in activity:
        evaluation = by_title[target.title]
        start, end = _window(target, year, today)
        if end < start:
            assert evaluation.status == "not_started"
            continue
        actual = expected_activity(data, target, year, today)
        share = min(1.0, ((end - target.period_start).days + 1) / ((target.period_end - target.period_start).days + 1))
        assert evaluation.actual == actual, target.title
        assert math.isclose(evaluation.expected, target.target_value * share)
        assert evaluation.status == _status("activity", actual, target.target_value, target.target_value * share)
    for target in outcome:
        evaluation = by_title[target.title]
        actual = expected_outcome(data, target, year, today)
        expected.assert_close(evaluation.actual, actual, target.title)
        assert evaluation.status == _status("outcome", actual, float(target.target_value), None, target.comparator)


def test_country_grid_and_trends_match_independent_computation():
    # given
    data = generate(size=2, seed=22, today=TODAY)
    _activity, _outcome = _targets(data.programme)
    today = TODAY
    year = 2025
    # when
    dashboard = selectors.programme_dashboard(scope=EVERYWHERE, programme=data.programme, year=year, today=today)
    # then: one row per country with an engagement of the programme
    assert [row.code for row in dashboard.countries] == ["CO", "PE"]
    end = date(year, 12, 31)
    for row in dashboard.countries:
        results = [r for r in data.results if r["country"] == row.code and r["start"].year == year]
        expected.assert_close({k: v for k, v in row.training.items() if k != "by_agency"}, expected.training(results))
        assert row.people == len({r["person_id"] for r in results})
        assert row.sessions == len(
            {s["id"] for s in data.sessions if row.code in s["countries"] and s["start"].year == year}
        )
        measures = [m for m in data.measures if m["country"] == row.code and m["agreed_on"] <= end]
        expected.assert_close(row.measures, expected.measures(measures, end if end < today else None))
        rounds = [r for r in data.rounds if r["country"] == row.code and r["due"].year == year]
        expected.assert_close(row.followup, expected.followup(rounds, today))
        block = expected.maturity([a for a in data.assessments if a["country"] == row.code], end)
        mean = sum(block["change"].values()) / len(block["change"]) if block["change"] else None
        expected.assert_close(row.maturity_change, mean)
        # Outcome targets apply to every country, activity targets only to the country they name;
        # a country is behind where its own actual misses one.
        subset = _only(data, row.code)
        want_behind = set()
        for target in [*_activity, *_outcome]:
            if target in _outcome:
                value = expected_outcome(subset, target, year, today)
                status = _status("outcome", value, float(target.target_value), None, target.comparator)
            elif target.country_id == row.code:
                start, stop = _window(target, year, today)
                value = expected_activity(data, target, year, today)
                share = min(1.0, ((stop - start).days + 1) / ((target.period_end - start).days + 1))
                status = _status("activity", value, target.target_value, target.target_value * share)
            else:
                continue
            if status == "behind":
                want_behind.add(target.title)
        assert {e.target.title for e in row.behind} == want_behind, row.code
    assert {r.code for r in dashboard.behind} == {r.code for r in dashboard.countries if r.behind}
    # Trends: every year of the programme up to this one.
    assert [t.year for t in dashboard.trends] == list(range(2023, max(year, today.year) + 1))
    for trend in dashboard.trends:
        results = [r for r in data.results if r["start"].year == trend.year]
        want = {k: v for k, v in expected.training(results).items() if k != "by_sex"}
        expected.assert_close(trend.training, want)
        assert trend.sessions == len({s["id"] for s in data.sessions if s["start"].year == trend.year})
        assert trend.measures_agreed == sum(1 for m in data.measures if m["agreed_on"].year == trend.year)
        year_end = date(trend.year, 12, 31)
        expected.assert_close(
            trend.measures,
            expected.measures(
                [m for m in data.measures if m["agreed_on"] <= year_end], year_end if year_end < today else None
            ),
        )
        rounds = [r for r in data.rounds if r["due"].year == trend.year]
        expected.assert_close(trend.followup, expected.followup(rounds, today))
        scores = [100 * r["points"] / 20 for r in rounds if r["points"] is not None]
        expected.assert_close(trend.coordination, sum(scores) / len(scores) if scores else None)


def _only(data, code):
    """The generated records of one country (results by participant's country)."""
    subset = copy(data)
    subset.results = [r for r in data.results if r["country"] == code]
    subset.measures = [m for m in data.measures if m["country"] == code]
    subset.rounds = [r for r in data.rounds if r["country"] == code]
    subset.assessments = [a for a in data.assessments if a["country"] == code]
    subset.countries = [code]
    return subset


def test_country_dashboard_figures_match_independent_computation():
    # given
    data = generate(size=2, seed=23, today=TODAY)
    today = TODAY

    for year in (None, 2024):
        # when
        dashboard = selectors.country_dashboard(
            scope=EVERYWHERE, country=Country.objects.get(code="PE"), today=today, year=year
        )
        # then
        end = date(year, 12, 31) if year else None
        results = [r for r in data.results if r["country"] == "PE" and (year is None or r["start"].year == year)]
        expected.assert_close(
            {k: v for k, v in dashboard.training.items() if k != "by_agency"}, expected.training(results)
        )
        for agency in {r["agency_id"] for r in results}:
            rows = [r for r in results if r["agency_id"] == agency]
            want = {k: v for k, v in expected.training(rows).items() if k != "by_sex"}
            expected.assert_close(
                {k: v for k, v in dashboard.training["by_agency"][agency].items() if k not in ("by_sex", "by_agency")},
                want,
            )
        measures = [m for m in data.measures if m["country"] == "PE" and (end is None or m["agreed_on"] <= end)]
        expected.assert_close(dashboard.measures, expected.measures(measures, end if end and end < today else None))
        if year is None:
            verified = {s: 0 for s in expected.STATUSES}
            for m in measures:
                if m["verified_status"]:
                    verified[m["verified_status"]] += 1
            assert dashboard.verified["by_status"] == verified
        rounds = [r for r in data.rounds if r["country"] == "PE" and (year is None or r["due"].year == year)]
        expected.assert_close(dashboard.followup, expected.followup(rounds, today))
        assert dashboard.coordination == [
            (r["due"], 100 * r["points"] / 20)
            for r in sorted(rounds, key=lambda r: (r["due"], r["id"]))
            if r["points"] is not None
        ]
        expected.assert_close(
            dashboard.maturity, expected.maturity([a for a in data.assessments if a["country"] == "PE"], end)
        )
        # Indicator values per round, in time order.
        series = {s.id: s.points for s in dashboard.indicators}
        for indicator in {i["indicator_id"] for i in data.indicators}:
            values = sorted(
                (i["due"], i["value"])
                for i in data.indicators
                if i["indicator_id"] == indicator and (year is None or i["due"].year == year)
            )
            engagement = next(
                r
                for r in data.rounds
                if any(i["round_id"] == r["id"] for i in data.indicators if i["indicator_id"] == indicator)
            )
            if engagement["country"] == "PE":
                # An indicator with no value in the year has no series.
                assert series.get(indicator, []) == values
        # The timeline dates each engagement's phases by its records.
        for timeline in dashboard.timelines:
            spans = {s.phase: (s.start, s.end) for s in timeline.spans}
            e = timeline.engagement.id
            sessions = [s for s in data.sessions if s["engagement_id"] == e]
            assert spans.get("capacity_building") == (
                (min(s["start"] for s in sessions), max(s["end"] for s in sessions)) if sessions else None
            )
            rounds_e = [r for r in data.rounds if r["engagement_id"] == e]
            assert spans.get("follow_up") == (
                (min(r["opens"] for r in rounds_e), max(r["due"] for r in rounds_e)) if rounds_e else None
            )
            assessments = [a for a in data.assessments if a["engagement_id"] == e]
            assert spans["assessment"] == (min(a["start"] for a in assessments), max(a["end"] for a in assessments))


def test_contract_figures_agree_with_the_apps_own_selectors():
    """The blocks computed from facts agree with followups' and assessments' own SQL selectors."""
    data = generate(size=2, seed=24, today=TODAY)
    today = TODAY
    admin = make_user("admin")
    for engagement in data.engagements:
        outcome = selectors.engagement_outcome(
            user=admin, engagement=selectors.engagement_get_for_user(user=admin, pk=engagement["id"]), today=today
        )
        assert outcome["measures"] == measure_status_counts(Measure.objects.filter(engagement_id=engagement["id"]))
        assert outcome["followup"] == followup_compliance(
            FollowupRound.objects.filter(engagement_id=engagement["id"]), today
        )
        assert outcome["maturity"] == maturity_comparison(
            country_code=engagement["country"], engagement_id=engagement["id"]
        )


# --- Query counts ------------------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


def _pages(programme_code: str, engagement_id: int) -> list[str]:
    return [
        reverse("outcomes:programme", args=[programme_code]) + "?year=2025",
        reverse("outcomes:programme_export", args=[programme_code, "xlsx"]) + "?year=2025",
        reverse("outcomes:country", args=["PE"]),
        reverse("outcomes:country", args=["PE"]) + "?year=2025",
        reverse("outcomes:country_export", args=["PE", "xlsx"]),
        "/api/v1/outcomes/countries/",
        "/api/v1/outcomes/countries/?year=2025&format=csv",
        f"/api/v1/outcomes/engagements/{engagement_id}/",
        *(
            reverse("outcomes:list_export", args=[dataset, "csv"])
            for dataset in (
                "engagements",
                "training-sessions",
                "assessments",
                "roundtables",
                "measures",
                "followup-rounds",
                "indicator-values",
            )
        ),
    ]


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_queries_do_not_grow_with_the_data(client, django_assert_num_queries, role):
    # given: a small programme, counted
    user = make_user(role, *([] if role == "admin" else ["PE", "CO"]))
    client.force_login(user)
    small = generate(size=1, seed=31)
    _targets(small.programme)
    engagement = small.engagements[0]["id"]
    for url in _pages(small.programme.code, engagement):
        _count(client, url)  # warms per-process caches (content types), which are not data
    counts = {url: _count(client, url) for url in _pages(small.programme.code, engagement)}
    # when: three times more data in the same programme and countries
    generate(size=3, seed=32, programme=small.programme)
    # then: every page and endpoint makes exactly the same number of queries
    for url, count in counts.items():
        with django_assert_num_queries(count):
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
        assert response.status_code == 200
    # and the dashboards stay within a fixed budget: 6 for the session, the user and their roles
    # (the session is saved on every request), then one per fact set (two for measures: their
    # status at each year's end), the programme, its targets and the annual report's status, and on
    # the programme's page and the engagement's outcome three for the surveys (invited, answered,
    # headline answers); the dashboards one more for the programme's indicators (none here), and the
    # programme's page two for its money (budgets against spending, spending per currency); every page
    # one for the header's count of unread notifications
    pages = _pages(small.programme.code, engagement)
    assert counts[pages[0]] <= 27
    assert counts[pages[2]] <= 18
    assert counts[pages[7]] <= 14
