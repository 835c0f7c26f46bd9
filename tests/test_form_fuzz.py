"""Garbage into every form of the portal, through the real views, as a user allowed to use them.

Whatever is posted (Unicode and right-to-left text, NUL bytes, huge strings, lists where one value
is expected, missing fields, negative or huge numbers, impossible dates, hostile file names and
contents), a form answers with a redirect (it was valid), or re-renders with its errors (200/400)
and then nothing was saved. Never a 5xx. The fields to fill are read from the page that shows the
form, so dynamic fields, prefixes and formsets are covered too.

``FORM_FUZZ_EXAMPLES`` (default 10, about 2½ minutes for every form) sets how many submissions each target gets.
"""

import io
import os
import zipfile
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from engagements.forms import DateBoundsMixin
from outcomes.models import DIMENSIONS
from tests.assessments import authz_cases as assessments
from tests.finance.factories import with_money
from tests.followups import authz_cases as followups
from tests.forms_fuzz_targets import BASES
from tests.forms_fuzz_targets import TARGETS
from tests.forms_fuzz_targets import discover_form_classes
from tests.network import authz_cases as network
from tests.outcomes import authz_cases as outcomes
from tests.surveys import authz_cases as surveys
from tests.trainings import authz_cases as trainings

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "10"))


def test_every_form_class_of_the_portal_has_a_fuzz_target():
    """A new form used by a view needs a target in tests/forms_fuzz_targets.py."""
    discovered = discover_form_classes()
    covered = {target.form for target in TARGETS}
    missing = sorted(f"{c.__module__}.{c.__qualname__}" for c in discovered - covered - BASES)
    assert missing == []
    # The discovery finds the kinds of forms it must: app forms, view-module forms, CBV forms.
    names = {c.__qualname__ for c in discovered}
    assert {"EngagementForm", "CodeForm", "PasswordChangeForm", "LockoutAuthenticationForm"} <= names


# ---------------------------------------------------------------------------------------------
# The world: every app's objects, as the authorization matrix builds them


@pytest.fixture
def rich_world(world):
    for module in (assessments, trainings, network, followups, surveys):
        module.setup(world)
    world.invitation = world.survey.invitations.get()
    followup_indicators = world.indicator, world.other_indicator
    outcomes.with_indicators(world)  # the results framework's; its indicator takes the follow-ups' name
    world.framework_indicator = world.indicator
    world.indicator, world.other_indicator = followup_indicators
    world.framework_indicator.disaggregations = list(DIMENSIONS)  # a number field per value of each
    world.framework_indicator.save(update_fields=["disaggregations"])
    with_money(world)
    return world


def _portal_tables() -> list[str]:
    """Every portal table (many-to-many ones too), except the audit trail, which records failed
    sign-ins by design."""
    return sorted(
        model._meta.db_table
        for label in django_settings.PORTAL_APPS
        if label != "audit"
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )


def _row_counts() -> dict[str, int]:
    tables = _portal_tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # one round trip: this runs twice per submission
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))
        return dict(zip(tables, cursor.fetchone(), strict=True))


# ---------------------------------------------------------------------------------------------
# What a page offers


class _Fields(HTMLParser):
    """The named fields of a page: kind and the values it offers (options, checkbox values…)."""

    IGNORED = {"csrfmiddlewaretoken", "next"}

    def __init__(self):
        super().__init__()
        self.fields: dict[str, dict] = {}
        self._select: str | None = None

    def _add(self, name, kind, value=None):
        if not name or name in self.IGNORED:
            return
        field = self.fields.setdefault(name, {"kind": kind, "options": []})
        if value not in (None, ""):
            field["options"].append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio", "hidden", "submit"):
                self._add(name, kind, attrs.get("value", "on" if kind == "checkbox" else None))
            else:
                self._add(name, kind, attrs.get("value"))
        elif tag == "button" and name:
            self._add(name, "submit", attrs.get("value"))
        elif tag == "textarea":
            self._add(name, "text")
        elif tag == "select":
            self._select = name
            self._add(name, "select")
        elif tag == "option" and self._select:
            self._add(self._select, "select", attrs.get("value"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def page_fields(html: str) -> dict[str, dict]:
    parser = _Fields()
    parser.feed(html)
    return parser.fields


def class_fields(form_class) -> dict[str, dict]:
    """The fields a form class declares, for those its page does not show (filters of exports…)."""
    kinds = [
        (forms.FileField, "file"),
        (forms.DateField, "date"),
        (forms.TimeField, "time"),
        (forms.EmailField, "email"),
        (forms.IntegerField, "number"),
        (forms.DecimalField, "number"),
        (forms.BooleanField, "checkbox"),
    ]
    fields = {}
    for name, field in form_class.base_fields.items():
        kind = next((kind for cls, kind in kinds if isinstance(field, cls)), "text")
        options = []
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            options = [str(value) for value, _label in field.choices if value not in ("", None)]
        fields[name] = {"kind": kind, "options": options}
    return fields


# ---------------------------------------------------------------------------------------------
# Garbage


def _zip_bomb() -> bytes:
    """A small archive that inflates to 200 MB, named like an office document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(200):
                member.write(chunk)
    return out.getvalue()


ZIP_BOMB = _zip_bomb()

NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eexe.fdp",  # right-to-left override
    "مراقبة السلائف الكيميائية",
    "בקרת חומרים",
    "Ωμέγα – ñandú – 漢字 – 😀",
    "x" * 5000,
    "ẞ" * 300,
    "-1",
    "0",
    "-99999999999999999999999",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "Infinity",
    "12,5",
    "1.000000000001",
    "2025-02-30",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "31/12/2025",
    "2025-13-01",
    "25:61",
    "99:99",
    "true",
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "'; DROP TABLE x;--",
    "%s%(x)s{0}",
    "\r\n\t",
    "../../etc/passwd",
    "http://",
    "javascript:alert(1)",
    "a@b",
    "@" * 300,
    "²",  # str.isdigit() says yes, int() says no
    "١٢",  # Arabic-Indic digits
]

garbage = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=40),  # any code point but surrogates, NUL and controls included
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.integers(min_value=1, max_value=20_000).map(lambda n: "Ж" * n),
)

NASTY_NAMES = [
    "../../etc/passwd",
    "/etc/passwd",
    "..\\..\\windows\\system32\\evil.pdf",
    "evil\x00.pdf",
    "a" * 300 + ".pdf",
    "\u202efdp.exe",
    "résumé مراجعة.pdf",
    ".pdf",
    "report.pdf",
    "scores.xlsx",
    "scores.csv",
    "paper.docx",
]

NASTY_CONTENTS = [
    b"",
    b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100,  # a Windows executable
    b"<html><script>alert(1)</script></html>",
    b"%PDF-1.4\n%garbage",
    ZIP_BOMB,
    b"person_id,full_name,pre_score\n1,\x00,=1+1\n",
    "full_name,email\n\u202eevil,é@x\n".encode(),
    b"\xff\xfe\x00\x00garbage",
    b"PK\x03\x04broken zip",
]

uploads = st.builds(
    lambda name, content, ctype: SimpleUploadedFile(name, content, content_type=ctype),
    st.sampled_from(NASTY_NAMES),
    st.sampled_from(NASTY_CONTENTS),
    st.sampled_from(["application/pdf", "text/csv", "application/octet-stream", "text/html", ""]),
)

TYPED = {
    # The edges of the calendar: date arithmetic past year 9999 or before year 1 overflows.
    "date": st.one_of(
        st.dates().map(str),
        st.sampled_from(["9999-12-31", "9999-12-01", "0001-01-01", "2025-02-29", "1900-01-01"]),
    ),
    "time": st.sampled_from(["00:00", "23:59", "24:00", "12:60", "9:5", "noon"]),
    "number": st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
        st.decimals(places=3, min_value=-(10**9), max_value=10**9).map(str),
    ),
    "email": st.one_of(st.emails(), st.just("ñandú@ejemplo.pe")),
}


def field_strategy(field: dict):
    if field["kind"] == "file":
        return st.one_of(uploads, st.lists(uploads, min_size=2, max_size=3))
    choices = [st.sampled_from(field["options"])] * 2 if field["options"] else []
    single = st.one_of(*choices, TYPED.get(field["kind"], garbage), garbage)
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


PLAUSIBLE = {
    "text": "Fuzz value",
    "textarea": "Fuzz value",
    "date": "2026-06-01",
    "time": "10:00",
    "number": "1",
    "email": "fuzz.value@example.net",
    "url": "https://example.org/",
    "password": "Fuzz-pass-2026-long",
    "checkbox": "on",
}


def _plausible(field: dict):
    """A value the form may well accept, so that garbage in one field meets valid data elsewhere."""
    if field["kind"] == "file":
        return SimpleUploadedFile("paper.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    if field["options"]:
        return field["options"][0] if field["kind"] not in ("select", "radio") else field["options"][-1]
    return PLAUSIBLE.get(field["kind"], "Fuzz value")


def form_strategy(fields: dict[str, dict], fixed: dict):
    fixed_values = {name: st.just(value) for name, value in fixed.items()}
    names = sorted(name for name in fields if name not in fixed)
    # Garbage everywhere (and fields left out) …
    everywhere = st.fixed_dictionaries(fixed_values, optional={name: field_strategy(fields[name]) for name in names})
    if not names:
        return everywhere

    # … or a plausible submission with one to three fields replaced by garbage or left out.
    @st.composite
    def mostly_plausible(draw):
        data = {name: _plausible(fields[name]) for name in names}
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
            if draw(st.booleans()):
                data[name] = draw(field_strategy(fields[name]))
            else:
                del data[name]
        return {**data, **fixed}

    return st.one_of(everywhere, mostly_plausible())


# ---------------------------------------------------------------------------------------------
# The fuzz


def _client(world, target):
    client = APIClient()
    if target.user:
        client.force_login(world.users[target.user])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("target", TARGETS, ids=[target.name + ":" + str(i) for i, target in enumerate(TARGETS)])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_garbage_is_refused_with_errors_and_nothing_saved(rich_world, target, data):
    with override_settings(**target.settings):
        _submit_garbage(rich_world, target, data)


def _submit_garbage(rich_world, target, data):
    client = _client(rich_world, target)
    if not hasattr(rich_world, "fuzz_pages"):
        rich_world.fuzz_pages = {}
    if target.name not in rich_world.fuzz_pages:  # read the page once per target, not per example
        url = target.url(rich_world)
        shown = client.get((target.page or target.url)(rich_world), follow=True)
        assert shown.status_code == 200, f"{target.name}: the page answered {shown.status_code}"
        if target.page is None and shown.redirect_chain:
            url = shown.redirect_chain[-1][0]  # the password reset link moves its token to the session
        html = shown.content.decode(errors="replace") if not shown.streaming else ""
        rich_world.fuzz_pages[target.name] = (url, {**class_fields(target.form), **page_fields(html)})
    url, fields = rich_world.fuzz_pages[target.name]
    submitted = data.draw(form_strategy(fields, target.fixed), label="submitted")

    with transaction.atomic():
        before = _row_counts()
        if target.method == "GET":
            response = client.get(url, submitted)
        else:
            response = client.post(url, submitted)
        after = _row_counts()
        if response.status_code == 302:
            # What was accepted must not break the page it leads to (e.g. a date that overflows).
            shown_after = client.get(response["Location"])
            assert shown_after.status_code < 500, f"{target.name}: the page after saving failed"
        transaction.set_rollback(True)

    event(f"answered {response.status_code}")  # --hypothesis-show-statistics: how often input was valid
    assert response.status_code < 500
    if target.method == "GET":
        # 404: a filter naming a record the user cannot see (e.g. ?engagement=) is out of scope.
        assert response.status_code in (200, 400, 404), f"{target.name}: {response.status_code}"
        return
    assert response.status_code in (200, 302, 400), f"{target.name}: {response.status_code}"
    if response.status_code in (200, 400):
        changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
        assert changed == {}, f"{target.name}: a refused submission saved rows"


def test_every_form_with_a_date_field_bounds_its_dates():
    """Dates near year 1 or 9999 overflow the date arithmetic of schedules and invitations; the
    forms that save dates take DateBoundsMixin (the audit filters only compare dates)."""
    unbounded = sorted(
        form.__qualname__
        for form in discover_form_classes()
        if any(isinstance(field, forms.DateField) for field in form.base_fields.values())
        and not issubclass(form, DateBoundsMixin)
        and form.__module__ != "audit.forms"
    )
    assert unbounded == []
