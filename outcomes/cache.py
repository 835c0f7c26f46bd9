"""Outcome figures and dashboard pages cached until the data they come from changes.

The dashboards and the outcome API aggregate a programme's whole history: after ten years, some
100 000 exam results, 20 000 measures and 100 000 status updates. Their number of queries is fixed
(see facts.py), but the work on the rows grows with the data. Cached, a dashboard costs the same on
the first day and the last; the first request after a change pays the computation once.

They are stored under the version of all programme data (``ta_portal.datacache``: every save or
delete of a model of engagements, assessments, trainings, follow-up or the targets moves it, and
so does every bulk write, which says so), with the reader's countries, the parameters and the
language in the key, so nothing stale or out of scope is ever served.
"""

from __future__ import annotations

from ta_portal import datacache

from . import selectors
from .facts import outcome_scope


def key_for(name: str, parts: tuple, scope) -> str | None:
    """The key of a page fragment for the current data (None when caching is off)."""
    return datacache.key_for(f"outcomes-{name}", (datacache.scope_key(scope), *parts))


def cached(name: str, parts: tuple, scope, compute):
    return datacache.cached(f"outcomes-{name}", (datacache.scope_key(scope), *parts), compute)


# ---- The cached reads: same arguments and results as the selectors they wrap ------------------------


def programme_dashboard(*, scope, programme, year: int, today):
    return cached(
        "programme",
        (programme.pk, year, today),
        scope,
        lambda: selectors.programme_dashboard(scope=scope, programme=programme, year=year, today=today),
    )


def country_dashboard(*, scope, country, today, year=None, programme=None):
    return cached(
        "country",
        (country.pk, today, year, getattr(programme, "pk", None)),
        scope,
        lambda: selectors.country_dashboard(scope=scope, country=country, today=today, year=year, programme=programme),
    )


def engagement_outcome(*, user, engagement, today) -> dict:
    return cached(
        "engagement",
        (engagement.pk, today),
        outcome_scope(user),
        lambda: selectors.engagement_outcome(user=user, engagement=engagement, today=today),
    )


def country_outcomes(*, user, today, year=None, programme=None) -> list[dict]:
    return cached(
        "countries",
        (today, year, getattr(programme, "pk", None)),
        outcome_scope(user),
        lambda: selectors.country_outcomes(user=user, today=today, year=year, programme=programme),
    )


def programme_surveys(*, scope, programme, dashboard):
    return cached(
        "programme-surveys",
        (programme.pk, dashboard.year, dashboard.today),
        scope,
        lambda: selectors.programme_surveys(scope=scope, programme=programme, dashboard=dashboard),
    )
