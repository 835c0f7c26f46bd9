"""Authorization cases of the outcomes app: every dashboard, export and outcome endpoint.

Outcomes are aggregates, read by every role within the countries it reaches: the own country's
objects answer 200, another country's 404 (so their existence does not leak). Lists and
programme-wide pages answer 200 for everyone, filtered to the user's countries (the filtering
itself is tested in test_scoping.py).
"""

from django.urls import reverse

from engagements.models import Programme
from tests.authz import Case
from tests.authz import obj
from tests.authz import same
from tests.authz import scoped

EVERY_ROLE_IN_SCOPE = {role: scoped(200) for role in ("manager", "trainer", "counterpart", "viewer")} | {
    "admin": same(200)
}
LIST = {role: same(200) for role in ("admin", "manager", "trainer", "counterpart", "viewer")}
# Assessments and roundtables are read by admins, managers and counterparts only.
ASSESSMENT_READERS = {**LIST, "trainer": same(403), "viewer": same(403)}
REQUEST = {role: scoped(302) for role in ("manager", "trainer", "counterpart", "viewer")} | {"admin": same(302)}


def with_programmes(world) -> None:
    """A programme with the own country's engagement, another with the other country's."""
    world.programme = Programme.objects.create(name="Own programme", code="own-programme")
    world.other_programme = Programme.objects.create(name="Other programme", code="other-programme")
    world.engagement.programme = world.programme
    world.engagement.save(update_fields=["programme"])
    world.other_engagement.programme = world.other_programme
    world.other_engagement.save(update_fields=["programme"])


def _programme_url(name: str, *args):
    return lambda w, s: reverse(name, args=[obj(w, s, "programme").code, *args])


def _country_url(name: str, *args):
    return lambda w, s: reverse(name, args=[w.own if s == "own" else w.other, *args])


def _list_export(dataset: str, fmt: str, expected: dict) -> Case:
    return Case(
        f"export of the {dataset} list as {fmt}",
        "outcomes:list_export",
        "GET",
        lambda w, s: (
            reverse("outcomes:list_export", args=[dataset, fmt]) + ("?country=" + (w.own if s == "own" else w.other))
        ),
        expected,
    )


CASES = [
    Case("outcomes index page", "outcomes:index", "GET", lambda w, s: reverse("outcomes:index"), LIST),
    Case(
        "programme dashboard",
        "outcomes:programme",
        "GET",
        _programme_url("outcomes:programme"),
        EVERY_ROLE_IN_SCOPE,
        setup=with_programmes,
    ),
    Case(
        "programme dashboard of a past year",
        "outcomes:programme",
        "GET",
        lambda w, s: _programme_url("outcomes:programme")(w, s) + "?year=2025",
        EVERY_ROLE_IN_SCOPE,
        setup=with_programmes,
    ),
    Case(
        "programme dashboard export as XLSX",
        "outcomes:programme_export",
        "GET",
        _programme_url("outcomes:programme_export", "xlsx"),
        EVERY_ROLE_IN_SCOPE,
        setup=with_programmes,
    ),
    Case(
        "programme dashboard export as CSV",
        "outcomes:programme_export",
        "GET",
        lambda w, s: _programme_url("outcomes:programme_export", "csv")(w, s) + "?table=countries",
        EVERY_ROLE_IN_SCOPE,
        setup=with_programmes,
    ),
    Case(
        "annual progress report request",
        "outcomes:annual_report",
        "POST",
        _programme_url("outcomes:annual_report"),
        REQUEST,
        data=lambda w, s: {"year": "2026"},
        setup=with_programmes,
    ),
    Case("country dashboard", "outcomes:country", "GET", _country_url("outcomes:country"), EVERY_ROLE_IN_SCOPE),
    Case(
        "country dashboard of one year",
        "outcomes:country",
        "GET",
        lambda w, s: _country_url("outcomes:country")(w, s) + "?year=2025",
        EVERY_ROLE_IN_SCOPE,
    ),
    Case(
        "country dashboard export as XLSX",
        "outcomes:country_export",
        "GET",
        _country_url("outcomes:country_export", "xlsx"),
        EVERY_ROLE_IN_SCOPE,
    ),
    Case(
        "country dashboard export as CSV",
        "outcomes:country_export",
        "GET",
        lambda w, s: _country_url("outcomes:country_export", "csv")(w, s) + "?table=training",
        EVERY_ROLE_IN_SCOPE,
    ),
    *(
        _list_export(dataset, fmt, LIST)
        for dataset in ("engagements", "training-sessions", "measures", "followup-rounds", "indicator-values")
        for fmt in ("csv", "xlsx")
    ),
    *(
        _list_export(dataset, fmt, ASSESSMENT_READERS)
        for dataset in ("assessments", "roundtables")
        for fmt in ("csv", "xlsx")
    ),
    Case(
        "API engagement outcome",
        "outcome-engagement",
        "GET",
        lambda w, s: f"/api/v1/outcomes/engagements/{obj(w, s, 'engagement').pk}/",
        EVERY_ROLE_IN_SCOPE,
        api=True,
    ),
    Case(
        "API engagement outcome as CSV",
        "outcome-engagement",
        "GET",
        lambda w, s: f"/api/v1/outcomes/engagements/{obj(w, s, 'engagement').pk}/?format=csv",
        EVERY_ROLE_IN_SCOPE,
        api=True,
    ),
    Case(
        "API country outcomes", "outcome-countries", "GET", lambda w, s: "/api/v1/outcomes/countries/", LIST, api=True
    ),
    Case(
        "API country outcomes as CSV",
        "outcome-countries",
        "GET",
        lambda w, s: "/api/v1/outcomes/countries/?year=2025&format=csv",
        LIST,
        api=True,
    ),
]
