"""The template and the export: the template in the language asked, with its lists of choices and
examples that import as they are; an export that imports back unchanged, where one edited cell is
one record updated; and only what the user may see."""

import io
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.roles import Role
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import Programme
from followups.models import Measure
from history import spec
from history.exporter import history_workbook
from history.exporter import template_workbook
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import report
from tests.history.conftest import ASSESSMENT
from tests.history.conftest import ENGAGEMENT
from tests.history.conftest import cells
from tests.history.conftest import run
from tests.history.conftest import small
from tests.history.conftest import workbook


def totals(result) -> dict[str, int]:
    found = {"created": 0, "updated": 0, "unchanged": 0}
    for figures in result.summary.values():
        for key in found:
            found[key] += figures[key]
    return found


def test_the_template_speaks_the_language_asked_and_offers_the_choices(db):
    # when
    data = template_workbook(language="es")

    # then: the instructions in Spanish, then the sheets, each with its header and an example
    book = load_workbook(io.BytesIO(data))
    with translation.override("es"):
        title = _("History workbook of the TA Portal")
        instructions = _("Instructions")
    assert title != "History workbook of the TA Portal"
    assert book.sheetnames == [instructions, *spec.SHEET_NAMES]
    notes = [cell for row in book[instructions].iter_rows(values_only=True) for cell in row if cell]
    assert notes[0] == title
    assert any("Obligatorio" in note for note in notes)
    for sheet in spec.SHEETS:
        rows = list(book[sheet.name].iter_rows(values_only=True))
        assert list(rows[0]) == sheet.column_names
        assert len(rows) == 1 + len(sheet.examples)
    # and drop-down lists on the columns with choices
    lists = {
        (sheet.name, str(validation.sqref).split(":")[0]): validation.formula1
        for sheet in spec.SHEETS
        for validation in book[sheet.name].data_validations.dataValidation
    }
    assert lists == {
        ("engagements", "G2"): '"planning,assessment,roundtable,capacity_building,follow_up,closed"',
        ("assessments", "F2"): '"draft,in_review,final"',
        ("scores", "C2"): '"1,2,3,4,5"',
        ("measures", "E2"): '"high,medium,low"',
        ("updates", "C2"): '"not_started,in_progress,partially_implemented,implemented,not_implemented,cancelled"',
        ("updates", "G2"): '"not_started,in_progress,partially_implemented,implemented,not_implemented,cancelled"',
    }


def test_the_templates_examples_import_as_they_are(manager):
    result = run(manager, template_workbook(language="fr"))
    assert result.errors == []
    assert {sheet: figures["created"] for sheet, figures in result.summary.items()} == dict.fromkeys(
        spec.SHEET_NAMES, 1
    )


def test_an_export_imports_back_unchanged_and_one_edited_cell_is_one_update(world, manager):
    # given: history imported before, and records made in the portal since
    every = [{"assessment": "A1", "dimension": d.code, "level": 3} for d in default_framework().dimensions.all()]
    assessment = {**ASSESSMENT, "status": "final", "finalised_on": date(2011, 8, 1)}
    assert run(manager, workbook(**small(assessments=[assessment], scores=every))).errors == []
    make_assessment(engagement=world.engagement, status="final", by=manager)
    measure = make_measure(world.engagement, title="=1+1 is not a formula", description="Two\r\nlines ", by=manager)
    live = open_round(world.engagement, opens_on=date(2024, 1, 10), due_date=date(2024, 2, 10))
    report(measure, live, make_user(Role.COUNTERPART, "PE"), status="in_progress", pct=20)
    exported = history_workbook(user=manager, country=Country.objects.get(code="PE"))
    rows = sum(len(values) - 1 for name, values in cells(exported).items() if name in spec.SHEET_NAMES)

    # when: imported back as it is
    again = run(manager, exported)

    # then: every row unchanged
    assert again.errors == []
    assert totals(again) == {"created": 0, "updated": 0, "unchanged": rows}
    assert set(again.summary) == set(spec.SHEET_NAMES)

    # when: one cell is edited, as a spreadsheet program would
    book = load_workbook(io.BytesIO(exported))
    sheet = book["measures"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("ref")].value == f"#{measure.pk}":
            row[header.index("due_date")].value = date(2025, 6, 30)
    out = io.BytesIO()
    book.save(out)
    edited = run(manager, out.getvalue())

    # then: exactly one record updated
    assert edited.errors == []
    assert totals(edited) == {"created": 0, "updated": 1, "unchanged": rows - 1}
    assert edited.summary["measures"]["updated"] == 1
    measure.refresh_from_db()
    assert (measure.due_date, measure.title) == (date(2025, 6, 30), "=1+1 is not a formula")


def test_the_export_holds_only_what_the_user_may_see(world, manager):
    # given: one programme in both countries
    programme = Programme.objects.create(name="Americas", code="americas")
    Engagement.objects.filter(pk__in=[world.engagement.pk, world.other_engagement.pk]).update(programme=programme)
    make_measure(world.other_engagement, title="Colombian measure", by=world.users["admin"])
    make_measure(world.engagement, title="Peruvian measure", by=manager)

    # when
    mine = cells(history_workbook(user=manager, programme=programme))
    theirs = cells(history_workbook(user=manager, country=Country.objects.get(code=world.other)))
    everyone = cells(history_workbook(user=world.users["global_manager"], programme=programme))

    # then
    assert [row[2] for row in mine["engagements"][1:]] == ["Own engagement"]
    assert [row[2] for row in mine["measures"][1:]] == ["Peruvian measure"]
    assert all(len(rows) == 1 for rows in theirs.values() if rows)  # headers only
    assert sorted(row[2] for row in everyone["measures"][1:]) == ["Colombian measure", "Peruvian measure"]


def test_records_are_exported_under_the_ref_they_were_imported_with(world, manager):
    run(manager, workbook(engagements=[ENGAGEMENT]))
    exported = cells(history_workbook(user=manager, country=Country.objects.get(code="PE")))
    refs = {row[2]: row[0] for row in exported["engagements"][1:]}
    assert refs == {ENGAGEMENT["title"]: "E1", "Own engagement": f"#{world.engagement.pk}"}
    assert Measure.objects.count() == 0
