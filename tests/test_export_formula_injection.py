"""No spreadsheet download runs what a user typed: every CSV and XLSX export of the portal, found
from the URLs (routes taking a ``fmt``) and the API (views with a CSV renderer), is fetched after
every free-text field of every record was set to a formula, and no cell of any of them starts a
formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) unless it is a number."""

import csv
import io
from itertools import cycle

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast
from django.db.models.functions import Concat
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import reverse

from outcomes.listings import DATASETS
from tests.assessments import authz_cases as assessments
from tests.followups import authz_cases as followups
from tests.outcomes import authz_cases as outcomes
from tests.trainings import authz_cases as trainings

pytestmark = pytest.mark.clock_sensitive

PAYLOADS = ["=cmd|' /C calc'!A0", "+SUM(1,1)", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _export_routes() -> set[str]:
    """Named routes that answer a spreadsheet: a page route with a ``fmt`` argument, or an API view
    that offers a CSV renderer."""
    found = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    walk(pattern.url_patterns, pattern.namespace or namespace)
                continue
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            if "fmt" in pattern.pattern.converters:
                found.add(name)
            view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            renderers = getattr(view, "renderer_classes", None) or []
            if any(getattr(renderer, "format", "") == "csv" for renderer in renderers):
                found.add(name)

    walk(get_resolver().url_patterns)
    return found


# Every export URL, by route, for the world's records (the XLSX of a dashboard holds all its tables).
EXPORT_URLS = {
    "outcomes:programme_export": lambda w: [
        reverse("outcomes:programme_export", args=[w.programme.code, fmt]) for fmt in ("csv", "xlsx")
    ],
    "outcomes:country_export": lambda w: [
        reverse("outcomes:country_export", args=[w.own, fmt]) for fmt in ("csv", "xlsx")
    ],
    "outcomes:list_export": lambda w: [
        reverse("outcomes:list_export", args=[dataset, fmt]) for dataset in DATASETS for fmt in ("csv", "xlsx")
    ],
    "trainings:results_download": lambda w: [
        reverse("trainings:results_download", args=[w.session.pk, fmt]) for fmt in ("csv", "xlsx")
    ],
    "outcome-engagement": lambda w: [f"/api/v1/outcomes/engagements/{w.engagement.pk}/?format=csv"],
    "outcome-countries": lambda w: ["/api/v1/outcomes/countries/?format=csv"],
    "outcome-training-session": lambda w: [f"/api/v1/outcomes/training-sessions/{w.session.pk}/?format=csv"],
}


def _poison_free_text() -> int:
    """Set every free-text field (not unique, no choices, not a code, e-mail, URL or slug) of every
    portal record to a formula; answers how many columns were poisoned."""
    payloads = cycle(PAYLOADS)
    poisoned = 0
    for label in settings.PORTAL_APPS:
        if label == "audit":
            continue
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if (
                    type(field) not in (models.CharField, models.TextField)
                    or field.unique
                    or field.choices
                    or field.primary_key
                    or field.name in ("code", "time_zone", "language", "fingerprint", "filename", "key", "password")
                ):
                    continue
                payload = next(payloads)
                if field.max_length and len(payload) + 12 > field.max_length:
                    continue
                # "<formula> #<pk>": distinct per row, for the constraints unique over several columns.
                value = Concat(Value(payload + " #"), Cast("pk", models.CharField()))
                model._base_manager.update(**{field.name: value})
                poisoned += 1
    return poisoned


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:4] == b"PK\x03\x04":
        workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return [value for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row]
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")) for cell in row]


def _runs_as_formula(value) -> bool:
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False  # a negative number


@pytest.fixture
def export_world(world):
    for module in (assessments, trainings, followups):
        module.setup(world)
    outcomes.with_programmes(world)
    return world


def test_every_export_endpoint_is_checked():
    """A new spreadsheet download needs its URLs in EXPORT_URLS."""
    discovered = _export_routes()
    assert {"outcomes:list_export", "outcome-engagement"} <= discovered  # both kinds are found
    assert set(EXPORT_URLS) == discovered


@pytest.mark.django_db
def test_no_export_cell_runs_as_a_formula(export_world, client):
    assert _poison_free_text() > 20
    client.force_login(export_world.users["admin"])
    neutralised = 0
    for route, build in EXPORT_URLS.items():
        for url in build(export_world):
            response = client.get(url)
            assert response.status_code == 200, f"{route}: {url} answered {response.status_code}"
            cells = _cells(response)
            offending = [cell for cell in cells if _runs_as_formula(cell)]
            assert offending == [], f"{url} exports cells that run as formulas: {offending[:5]}"
            neutralised += sum(1 for cell in cells if isinstance(cell, str) and cell.startswith("'"))
    assert neutralised > 0  # the poisoned text did reach the downloads
