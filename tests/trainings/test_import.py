"""Importing results from CSV and XLSX files through the import page: every row is checked first,
any error shows every problem with its row number and saves nothing; re-importing updates."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engagements.models import Person
from tests.factories import AgencyFactory
from tests.factories import PersonFactory
from tests.trainings.factories import EnrolmentFactory
from tests.trainings.factories import SessionFactory
from trainings.files import IMPORT_MAX_BYTES
from trainings.models import Enrolment
from trainings.models import ScoreChange

HEADER = ["full_name", "email", "sex", "agency", "pre_score", "post_score"]


def as_csv(rows, *, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(fmt, rows):
    if fmt == "csv":
        return SimpleUploadedFile("results.csv", as_csv(rows), content_type="text/csv")
    return SimpleUploadedFile(
        "results.xlsx", as_xlsx(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@pytest.fixture
def session(world):
    return SessionFactory(engagement=world.engagement, trainers=[world.users["trainer"]])


@pytest.fixture
def trainer_client(client, world):
    client.force_login(world.users["trainer"])
    return client


def post_file(client, session, file):
    return client.post(reverse("trainings:import", args=[session.pk]), {"file": file})


def snapshot():
    return (
        Person.objects.count(),
        Enrolment.objects.count(),
        ScoreChange.objects.count(),
        sorted(Enrolment.objects.values_list("pre_score", "post_score")),
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_valid_file_enrols_new_people_and_records_scores_with_their_author(fmt, trainer_client, session, world):
    agency = AgencyFactory(country_id="PE", acronym="SUNAT", name="Superintendencia de Aduanas")
    rows = [
        HEADER,
        ["Ana Pérez Quispe", "ana.perez@example.org", "female", "SUNAT", 21, 40.5],
        ["Luis Rojas", "", "male", "Superintendencia de Aduanas", "18,5", ""],
        [world.person.full_name, world.person.email, "", "", 30, 44],
    ]

    response = post_file(trainer_client, session, upload(fmt, rows))

    assert response.status_code == 302
    enrolments = {e.person.full_name: e for e in session.enrolments.select_related("person", "agency")}
    assert set(enrolments) == {"Ana Pérez Quispe", "Luis Rojas", world.person.full_name}
    ana = enrolments["Ana Pérez Quispe"]
    assert (ana.pre_score, ana.post_score, ana.person.sex, ana.agency) == (
        Decimal(21),
        Decimal("40.5"),
        "female",
        agency,
    )
    assert ana.person.country_id == "PE"
    assert enrolments["Luis Rojas"].pre_score == Decimal("18.5")
    assert enrolments["Luis Rojas"].post_score is None
    assert enrolments[world.person.full_name].person == world.person  # matched, not duplicated
    changes = ScoreChange.objects.filter(enrolment__session=session)
    assert changes.count() == 5
    assert set(changes.values_list("changed_by", "source").distinct()) == {(world.users["trainer"].pk, "import")}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_updates_the_same_people_instead_of_duplicating(fmt, trainer_client, session):
    first = [HEADER, ["Ana Pérez", "ana@example.org", "female", "", 20, ""], ["Juan Soto", "", "male", "", 15, ""]]
    second = [HEADER, ["Ana Pérez", "ANA@example.org", "female", "", 20, 41], ["Juan Soto", "", "male", "", 16, 30]]
    post_file(trainer_client, session, upload(fmt, first))

    response = post_file(trainer_client, session, upload(fmt, second))

    assert response.status_code == 302
    assert Person.objects.filter(full_name__in=["Ana Pérez", "Juan Soto"]).count() == 2
    assert sorted(session.enrolments.values_list("pre_score", "post_score")) == [
        (Decimal(16), Decimal(30)),
        (Decimal(20), Decimal(41)),
    ]
    juan = session.enrolments.get(person__full_name="Juan Soto")
    assert list(juan.score_changes.order_by("pk").values_list("phase", "old_score", "new_score")) == [
        ("pre", None, Decimal(15)),
        ("pre", Decimal(15), Decimal(16)),
        ("post", None, Decimal(30)),
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_kind_of_bad_row_is_reported_with_its_row_number_and_nothing_is_saved(
    fmt, trainer_client, session, world
):
    # given a participant already enrolled with scores, and a file with one bad row of each kind
    EnrolmentFactory(session=session, person=world.person, pre_score=Decimal(10), post_score=Decimal(20))
    rows = [
        HEADER,
        ["Good Row", "good@example.org", "female", "", 10, 20],  # row 2: valid
        ["Above Max", "", "male", "", 51, 20],  # row 3: the maximum is 50
        ["Negative", "", "male", "", -1, 20],  # row 4
        ["Not A Number", "", "male", "", "twelve", 20],  # row 5
        ["Unknown Sex", "", "robot", "", 10, 20],  # row 6
        [world.person.full_name, world.person.email, "", "", 12, 30],  # row 7
        ["Again", world.person.email, "", "", 12, 31],  # row 8: the same person as row 7
        ["Unknown Agency", "", "female", "NOPE", 10, 20],  # row 9
    ]
    before = snapshot()

    response = post_file(trainer_client, session, upload(fmt, rows))

    assert response.status_code == 200
    assert snapshot() == before
    errors = {(row, column) for row, column, _message in response.context["row_errors"]}
    assert errors == {
        ("3", "pre_score"),
        ("4", "pre_score"),
        ("5", "pre_score"),
        ("6", "sex"),
        ("8", "person"),
        ("9", "agency"),
    }
    text = response.content.decode()
    assert "The score is above the maximum of 50." in text
    assert "A score cannot be negative." in text
    assert "Enter a number." in text
    assert "Unknown sex" in text
    assert "The same person is in row 7 too." in text
    assert "nothing was saved" in text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_with_wrong_columns_is_refused_naming_the_expected_ones(fmt, trainer_client, session):
    response = post_file(trainer_client, session, upload(fmt, [["name", "score"], ["Ana", 10]]))

    assert response.status_code == 200
    assert "Unknown columns: name, score" in response.context["file_error"]
    assert "full_name" in response.context["file_error"]
    assert Enrolment.objects.count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_without_any_score_column_is_refused(fmt, trainer_client, session):
    response = post_file(trainer_client, session, upload(fmt, [["full_name", "sex"], ["Ana", "female"]]))

    assert "needs a pre_score or post_score column" in response.context["file_error"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_header_without_rows_is_refused(fmt, trainer_client, session):
    response = post_file(trainer_client, session, upload(fmt, [HEADER]))

    assert response.context["file_error"] == "The file has a header but no rows."


def test_an_empty_csv_file_is_refused(trainer_client, session):
    response = post_file(trainer_client, session, SimpleUploadedFile("results.csv", b"\n \n", content_type="text/csv"))

    assert response.status_code == 200
    assert response.context["file_error"] == "The file is empty."


def test_an_empty_xlsx_workbook_is_refused(trainer_client, session):
    response = post_file(trainer_client, session, upload("xlsx", []))

    assert response.context["file_error"] == "The file is empty."


def test_a_zero_byte_upload_is_refused_by_the_form(trainer_client, session):
    response = post_file(trainer_client, session, SimpleUploadedFile("results.csv", b"", content_type="text/csv"))

    assert response.status_code == 200
    assert "The submitted file is empty." in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_over_the_limit_is_refused_before_it_is_read(fmt, trainer_client, session):
    # given a 2.5 MB file (an XLSX-looking one is refused by size, never opened)
    padding = b"x" * (5 * 512 * 1024)
    content = as_csv([HEADER]) + padding if fmt == "csv" else b"PK\x03\x04" + padding
    name = f"results.{fmt}"

    response = post_file(trainer_client, session, SimpleUploadedFile(name, content))

    assert response.status_code == 200
    assert response.context["file_error"] == (
        f"The file is 2.5 MB; files of at most {IMPORT_MAX_BYTES // 1024 // 1024} MB are accepted."
    )
    assert Enrolment.objects.count() == 0


def test_a_request_far_over_the_limit_is_refused_before_it_is_received(trainer_client, session):
    # The request's size alone decides (ta_portal/bodylimit.py): the page never sees the file.
    response = post_file(trainer_client, session, SimpleUploadedFile("results.csv", b"x" * (5 * 1024 * 1024)))

    assert response.status_code == 413
    assert Enrolment.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_refused(trainer_client, session):
    response = post_file(trainer_client, session, SimpleUploadedFile("results.xlsx", b"PK\x03\x04 not really a zip"))

    assert response.context["file_error"] == "This file cannot be read as an XLSX workbook."


def test_a_file_of_another_type_is_refused(trainer_client, session):
    response = post_file(trainer_client, session, SimpleUploadedFile("results.pdf", b"%PDF-1.7"))

    assert response.context["file_error"] == "Upload a .csv or .xlsx file."


def test_a_semicolon_separated_cp1252_csv_from_a_spanish_excel_is_read(trainer_client, session):
    content = as_csv([HEADER, ["Begoña Núñez", "", "female", "", "12,5", "30"]], delimiter=";")
    file = SimpleUploadedFile("results.csv", content.decode().encode("cp1252"), content_type="text/csv")

    response = post_file(trainer_client, session, file)

    assert response.status_code == 302
    enrolment = session.enrolments.get()
    assert (enrolment.person.full_name, enrolment.pre_score) == ("Begoña Núñez", Decimal("12.5"))


def test_a_column_left_out_keeps_the_stored_score(trainer_client, session, world):
    enrolment = EnrolmentFactory(session=session, person=world.person, pre_score=Decimal(10))

    post_file(trainer_client, session, upload("csv", [["email", "post_score"], [world.person.email, 33]]))

    enrolment.refresh_from_db()
    assert (enrolment.pre_score, enrolment.post_score) == (Decimal(10), Decimal(33))


def test_an_ambiguous_name_asks_for_the_email(trainer_client, session):
    PersonFactory(full_name="María Flores", email="maria1@example.org")
    PersonFactory(full_name="María Flores", email="maria2@example.org")

    response = post_file(trainer_client, session, upload("csv", [["full_name", "pre_score"], ["María Flores", 10]]))

    assert response.context["row_errors"] == [
        ("2", "full_name", "Several people are called María Flores; give their e-mail or id.")
    ]


def test_a_new_participant_of_a_regional_session_needs_a_country(trainer_client, world):
    session = SessionFactory(countries=["PE", "CO"], trainers=[world.users["trainer"]])

    response = post_file(trainer_client, session, upload("csv", [["full_name", "pre_score"], ["Nueva Persona", 10]]))

    assert response.context["row_errors"][0][:2] == ("2", "country")
    ok = post_file(
        trainer_client, session, upload("csv", [["full_name", "country", "pre_score"], ["Nueva Persona", "co", 10]])
    )
    assert ok.status_code == 302
    assert session.enrolments.get().person.country_id == "CO"


def test_a_person_of_a_country_outside_the_session_is_not_enrolled_and_not_revealed(trainer_client, session, world):
    # when: a row names, by e-mail alone, someone of a country outside the session (and the scope)
    outside = post_file(
        trainer_client, session, upload("csv", [["email", "pre_score"], [world.other_person.email, 10]])
    )
    unknown = post_file(trainer_client, session, upload("csv", [["email", "pre_score"], ["nobody@example.org", 10]]))
    # then: nobody is enrolled, and the answer is the one for an address nobody has
    assert Enrolment.objects.count() == 0
    assert outside.context["row_errors"] == unknown.context["row_errors"]
    assert world.other_person.full_name not in outside.content.decode()


def test_with_a_name_that_address_makes_a_new_person_of_the_sessions_country(trainer_client, session, world):
    response = post_file(
        trainer_client,
        session,
        upload("csv", [["full_name", "email", "pre_score"], ["Homónimo Nuevo", world.other_person.email, 10]]),
    )
    assert response.status_code == 302
    person = session.enrolments.get().person
    assert (person.full_name, person.country_id) == ("Homónimo Nuevo", session.countries.get().pk)
    assert person.pk != world.other_person.pk


def test_a_row_reports_each_of_its_errors_not_only_the_first(trainer_client, world):
    # given: a regional session, and a new participant's row wrong in three ways
    session = SessionFactory(countries=["PE", "CO"], trainers=[world.users["trainer"]])
    rows = [
        ["full_name", "country", "agency", "pre_score", "post_score"],
        ["Nueva Persona", "ZZ", "NOPE", "twelve", 99],
    ]
    # when
    response = post_file(trainer_client, session, upload("csv", rows))
    # then: the score, the country and the agency are all named, and nothing is saved
    assert response.status_code == 200
    assert {(row, column) for row, column, _message in response.context["row_errors"]} == {
        ("2", "pre_score"),
        ("2", "post_score"),
        ("2", "country"),
        ("2", "agency"),
    }
    assert not Person.objects.filter(full_name="Nueva Persona").exists()
