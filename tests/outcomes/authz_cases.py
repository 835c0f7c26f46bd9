"""Authorization cases of the outcomes app: every dashboard, export and outcome endpoint.

Outcomes are aggregates, read by every role within the countries it reaches: the own country's
objects answer 200, another country's 404 (so their existence does not leak). Lists and
programme-wide pages answer 200 for everyone, filtered to the user's countries (the filtering
itself is tested in test_scoping.py).
"""

from datetime import date

from django.core.files.base import ContentFile
from django.urls import reverse

from engagements.models import Programme
from outcomes.models import Indicator
from outcomes.models import IndicatorPeriod
from outcomes.models import IndicatorValue
from outcomes.models import ProgrammeObjective
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


# --- The results framework: indicators, periods, reported values ----------------------------------------


def with_indicators(world) -> None:
    """Each programme gets an objective and a reported indicator with two periods; a counterpart's
    value (with an evidence file) waits for verification in each country's first period."""
    with_programmes(world)
    for side, programme, country in (("", world.programme, world.own), ("other_", world.other_programme, world.other)):
        objective = ProgrammeObjective.objects.create(programme=programme, code="O1", title="Objective")
        indicator = Indicator.objects.create(objective=objective, code="1.1", name="Inspections", source="reported")
        first = IndicatorPeriod.objects.create(
            indicator=indicator, start=date(2025, 1, 1), end=date(2025, 12, 31), target=10
        )
        second = IndicatorPeriod.objects.create(
            indicator=indicator, start=date(2026, 1, 1), end=date(2026, 12, 31), target=12
        )
        value = IndicatorValue(indicator=indicator, period=first, country_id=country, value=4, evidence_name="e.pdf")
        value.evidence_file.save("e.pdf", ContentFile(b"%PDF-1.4 evidence"), save=False)
        value.save()
        setattr(world, f"{side}objective", objective)
        setattr(world, f"{side}indicator", indicator)
        setattr(world, f"{side}open_period", second)
        setattr(world, f"{side}indicator_value", value)


# Managers of the country (and admins) edit; the other roles of the country may not (403); a
# programme outside the user's countries does not exist for them (404).
FRAMEWORK_EDIT = {"admin": same(200), "manager": scoped(200)} | {
    role: scoped(403) for role in ("trainer", "counterpart", "viewer")
}
VERIFY_PAGE = {"admin": same(302), "manager": scoped(302)} | {
    role: scoped(403) for role in ("trainer", "counterpart", "viewer")
}
VERIFY_API = {"admin": same(200), "manager": scoped(200)} | {
    role: scoped(403) for role in ("trainer", "counterpart", "viewer")
}
# Evidence files: admins, managers and counterparts of the country (as follow-up evidence).
EVIDENCE = {"admin": same(200), "manager": scoped(200), "counterpart": scoped(200)} | {
    role: same(404) for role in ("trainer", "viewer")
}
# Reporting: counterparts and managers of the country; another country's indicator is refused (400).
REPORT_API = {"admin": same(201), "manager": (201, 400), "counterpart": (201, 400)} | {
    role: same(403) for role in ("trainer", "viewer")
}


def _framework_url(name: str, attribute: str, *args):
    return lambda w, s: reverse(name, args=[obj(w, s, attribute).pk, *args])


CASES += [
    Case(
        "results framework page",
        "outcomes:framework",
        "GET",
        _programme_url("outcomes:framework"),
        EVERY_ROLE_IN_SCOPE,
        setup=with_indicators,
    ),
    Case(
        "new objective page",
        "outcomes:objective_create",
        "GET",
        _programme_url("outcomes:objective_create"),
        FRAMEWORK_EDIT,
        setup=with_indicators,
    ),
    Case(
        "objective edit page",
        "outcomes:objective_edit",
        "GET",
        _framework_url("outcomes:objective_edit", "objective"),
        FRAMEWORK_EDIT,
        setup=with_indicators,
    ),
    Case(
        "objective narrative page",
        "outcomes:narrative_edit",
        "GET",
        _framework_url("outcomes:narrative_edit", "objective", 2025),
        FRAMEWORK_EDIT,
        setup=with_indicators,
    ),
    Case(
        "new indicator page",
        "outcomes:indicator_create",
        "GET",
        _framework_url("outcomes:indicator_create", "objective"),
        FRAMEWORK_EDIT,
        setup=with_indicators,
    ),
    Case(
        "indicator page",
        "outcomes:indicator",
        "GET",
        _framework_url("outcomes:indicator", "indicator"),
        EVERY_ROLE_IN_SCOPE,
        setup=with_indicators,
    ),
    Case(
        "indicator edit page",
        "outcomes:indicator_edit",
        "GET",
        _framework_url("outcomes:indicator_edit", "indicator"),
        FRAMEWORK_EDIT,
        setup=with_indicators,
    ),
    Case(
        "new indicator period page",
        "outcomes:period_create",
        "GET",
        _framework_url("outcomes:period_create", "indicator"),
        FRAMEWORK_EDIT,
        setup=with_indicators,
    ),
    Case(
        "indicator period edit page",
        "outcomes:period_edit",
        "GET",
        _framework_url("outcomes:period_edit", "open_period"),
        FRAMEWORK_EDIT,
        setup=with_indicators,
    ),
    Case(
        "indicator value verification",
        "outcomes:value_review",
        "POST",
        _framework_url("outcomes:value_review", "indicator_value"),
        VERIFY_PAGE,
        data=lambda w, s: {"decision": "accept"},
        setup=with_indicators,
    ),
    Case(
        "indicator value evidence file",
        "outcomes:value_evidence",
        "GET",
        _framework_url("outcomes:value_evidence", "indicator_value"),
        EVIDENCE,
        setup=with_indicators,
    ),
    Case(
        "API indicators",
        "indicator-list",
        "GET",
        lambda w, s: "/api/v1/indicators/",
        LIST,
        api=True,
        setup=with_indicators,
    ),
    Case(
        "API indicator",
        "indicator-detail",
        "GET",
        lambda w, s: f"/api/v1/indicators/{obj(w, s, 'indicator').pk}/",
        EVERY_ROLE_IN_SCOPE,
        api=True,
        setup=with_indicators,
    ),
    Case(
        "API indicator values",
        "indicator-value-list",
        "GET",
        lambda w, s: "/api/v1/indicator-values/",
        LIST,
        api=True,
        setup=with_indicators,
    ),
    Case(
        "API indicator value",
        "indicator-value-detail",
        "GET",
        lambda w, s: f"/api/v1/indicator-values/{obj(w, s, 'indicator_value').pk}/",
        EVERY_ROLE_IN_SCOPE,
        api=True,
        setup=with_indicators,
    ),
    Case(
        "API indicator value report",
        "indicator-value-list",
        "POST",
        lambda w, s: "/api/v1/indicator-values/",
        REPORT_API,
        data=lambda w, s: {
            "indicator": obj(w, s, "indicator").pk,
            "period": obj(w, s, "open_period").pk,
            "country": w.own if s == "own" else w.other,
            "value": "3",
            "evidence_link": "https://example.org/evidence",
        },
        api=True,
        setup=with_indicators,
    ),
    Case(
        "API indicator value review",
        "indicator-value-review",
        "POST",
        lambda w, s: f"/api/v1/indicator-values/{obj(w, s, 'indicator_value').pk}/review/",
        VERIFY_API,
        data=lambda w, s: {"decision": "accept"},
        api=True,
        setup=with_indicators,
    ),
    Case(
        "API indicator value evidence",
        "indicator-value-evidence",
        "GET",
        lambda w, s: f"/api/v1/indicator-values/{obj(w, s, 'indicator_value').pk}/evidence/",
        EVIDENCE,
        api=True,
        setup=with_indicators,
    ),
]

# Managers change the framework over the API too; another programme's objective is not theirs (400).
INDICATOR_CREATE = {"admin": same(201), "manager": (201, 400)} | {
    role: same(403) for role in ("trainer", "counterpart", "viewer")
}
INDICATOR_CHANGE = {"admin": same(200), "manager": scoped(200)} | {
    role: scoped(403) for role in ("trainer", "counterpart", "viewer")
}

CASES += [
    Case(
        "API indicator create",
        "indicator-list",
        "POST",
        lambda w, s: "/api/v1/indicators/",
        INDICATOR_CREATE,
        data=lambda w, s: {
            "objective": obj(w, s, "objective").pk,
            "code": "1.2",
            "name": "Operators registered",
            "source": "reported",
            "periods": [{"start": "2026-01-01", "end": "2026-12-31", "target": "40"}],
        },
        api=True,
        setup=with_indicators,
    ),
    Case(
        "API indicator change",
        "indicator-detail",
        "PATCH",
        lambda w, s: f"/api/v1/indicators/{obj(w, s, 'indicator').pk}/",
        INDICATOR_CHANGE,
        data=lambda w, s: {"name": "Inspections of operators"},
        api=True,
        setup=with_indicators,
    ),
]
