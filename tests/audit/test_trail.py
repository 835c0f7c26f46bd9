"""The audit trail is written by the database: no path that changes a covered table escapes it."""

import logging

import pytest
from celery import shared_task
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db import transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.apitokens import api_token_create
from audit.context import acting_as
from audit.models import AuditEntry
from audit.models import FailedLogin
from audit.registry import audited_models
from audit.registry import exempted_labels
from audit.registry import scoping_country_path
from audit.triggers import tables_with_trigger
from engagements.models import Agency
from engagements.models import Engagement
from engagements.models import Person
from tests.factories import PASSWORD
from tests.factories import AgencyFactory
from tests.factories import EngagementFactory
from tests.factories import PersonFactory
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("postgres")

# What the audit trail must cover (README, "Audit trail"): assessments, scores, findings, measures,
# status updates and exam results, with the engagement data they hang from. Renaming one of these models must fail here, not
# silently drop it from the trail.
MUST_BE_AUDITED = [
    "engagements.Engagement",
    "engagements.Agency",
    "engagements.Person",
    "assessments.Assessment",
    "assessments.DimensionScore",
    "assessments.Finding",
    "assessments.Recommendation",
    "followups.Measure",
    "followups.StatusUpdate",
    "trainings.Enrolment",
    "trainings.ItemScore",
    "accounts.Membership",
    "accounts.User",
]


def entries_for(obj):
    return AuditEntry.objects.for_object(obj._meta.label, obj.pk).order_by("id")


def last_entry_for(obj):
    return entries_for(obj).last()


# Coverage


@pytest.mark.django_db
@pytest.mark.parametrize("label", MUST_BE_AUDITED)
def test_the_models_the_issue_names_are_audited(label):
    model = apps.get_model(label)
    assert model in audited_models()
    assert model._meta.db_table in tables_with_trigger()


@pytest.mark.django_db
def test_every_covered_table_carries_an_enabled_trigger():
    # A migration that drops or disables a trigger, or a table created outside migrate, fails here.
    covered = {model._meta.db_table for model in audited_models()}
    assert covered - tables_with_trigger() == set()


@pytest.mark.django_db
def test_every_model_that_belongs_to_a_country_is_covered():
    scoped = [m for m in apps.get_models() if scoping_country_path(m) is not None]
    assert scoped, "the portal has scoped models"
    # An app may leave a model out on purpose with audit.registry.exempt() (e.g. a log of sent e-mails).
    left_out = [m._meta.label for m in scoped if m not in audited_models()]
    assert [label for label in left_out if label.lower() not in exempted_labels()] == []


@pytest.mark.django_db
def test_covered_rows_know_their_country_so_managers_see_them():
    # Every model the trail must cover resolves to a country path the trigger can follow.
    for label in MUST_BE_AUDITED:
        model = apps.get_model(label)
        if label != "accounts.User":
            assert audited_models()[model].country_path, label


# Every write path


@pytest.mark.django_db
def test_create_change_and_delete_keep_before_and_after():
    # given
    manager = make_user("manager", "PE")
    # when
    with acting_as(manager, "test"):
        engagement = EngagementFactory(country_id="PE", title="Baseline")
        engagement.title = "Renamed"
        engagement.save()
        pk = engagement.pk
        engagement.delete()
    # then
    created, changed, deleted = AuditEntry.objects.for_object("engagements.Engagement", pk).order_by("id")
    assert created.action == "insert" and created.before is None and created.after["title"] == "Baseline"
    assert changed.action == "update" and changed.before["title"] == "Baseline"
    assert changed.after["title"] == "Renamed" and "title" in changed.changed
    assert deleted.action == "delete" and deleted.before["title"] == "Renamed" and deleted.after is None
    for entry in (created, changed, deleted):
        assert entry.actor_id == manager.pk
        assert entry.actor_username == manager.username
        assert entry.country_codes == ["PE"]
        assert entry.at is not None


@pytest.mark.django_db
def test_bulk_update_is_audited_row_by_row():
    agencies = AgencyFactory.create_batch(3, country_id="PE", kind=Agency.Kind.CUSTOMS)
    Agency.objects.filter(pk__in=[a.pk for a in agencies]).update(kind=Agency.Kind.POLICE)
    for agency in agencies:
        entry = last_entry_for(agency)
        assert entry.action == "update"
        assert (entry.before["kind"], entry.after["kind"]) == ("customs", "police")
        assert entry.changed == ["kind"]


@pytest.mark.django_db
def test_bulk_create_and_queryset_delete_are_audited():
    people = Person.objects.bulk_create(
        [Person(full_name=f"Bulk {i}", country_id="CO", email=f"bulk{i}@example.org") for i in range(3)]
    )
    assert all(entries_for(p).filter(action="insert").exists() for p in people)
    Person.objects.filter(full_name__startswith="Bulk ").delete()
    assert all(entries_for(p).filter(action="delete", countries=",CO,").exists() for p in people)


@pytest.mark.django_db
def test_raw_sql_is_audited_too():
    agency = AgencyFactory(country_id="PE", name="Before")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE engagements_agency SET name = %s WHERE id = %s", ["After (raw SQL)", agency.pk])
    entry = last_entry_for(agency)
    assert (entry.before["name"], entry.after["name"]) == ("Before", "After (raw SQL)")


@pytest.mark.django_db
def test_many_to_many_changes_are_audited_with_the_owner_country():
    engagement = EngagementFactory(country_id="CO")
    person = PersonFactory(agency=AgencyFactory(country_id="CO"))
    engagement.focal_points.add(person)
    entry = AuditEntry.objects.filter(model="engagements.engagement_focal_points").last()
    assert entry.action == "insert"
    assert entry.after["engagement_id"] == engagement.pk and entry.after["person_id"] == person.pk
    assert entry.country_codes == ["CO"]


@pytest.mark.django_db
def test_a_change_that_changes_nothing_leaves_no_entry():
    agency = AgencyFactory(country_id="PE")
    before = entries_for(agency).count()
    Agency.objects.filter(pk=agency.pk).update(name=agency.name)
    assert entries_for(agency).count() == before


@pytest.mark.django_db
def test_secrets_never_enter_the_trail_and_sign_ins_leave_no_entry(client):
    user = make_user("viewer", "PE", username="vera")
    user.set_password("a-new-long-passphrase")
    user.save()
    changed = last_entry_for(user)
    assert "password" in changed.changed
    assert changed.before["password"] == changed.after["password"] == "[redacted]"
    assert not AuditEntry.objects.filter(after__password__startswith="md5$").exists()
    count = entries_for(user).count()
    assert client.login(username="vera", password="a-new-long-passphrase")
    assert entries_for(user).count() == count  # last_login alone is not an event


@pytest.mark.django_db
def test_api_token_digests_are_redacted():
    token, _key = api_token_create(user=make_user("viewer", "PE"))
    assert last_entry_for(token).after["digest"] == "[redacted]"


# Who did it


@pytest.mark.django_db
def test_a_page_edit_is_attributed_to_the_signed_in_user(client, world):
    manager = world.users["manager"]
    client.force_login(manager)
    engagement = world.engagement
    response = client.post(
        reverse("engagements:edit", args=[engagement.pk]),
        {"country": "PE", "title": "Edited on the page", "phase": "assessment", "start_date": "2025-01-15"},
    )
    assert response.status_code == 302
    entry = last_entry_for(engagement)
    assert entry.after["title"] == "Edited on the page"
    assert entry.actor_id == manager.pk
    assert entry.context == f"POST {reverse('engagements:edit', args=[engagement.pk])}"


@pytest.mark.django_db
def test_an_api_change_with_a_token_is_attributed_to_the_token_owner(world):
    manager = world.users["manager"]
    _token, key = api_token_create(user=manager)
    response = APIClient().patch(
        f"/api/v1/agencies/{world.agency.pk}/", {"acronym": "TOK"}, format="json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 200
    entry = last_entry_for(world.agency)
    assert entry.after["acronym"] == "TOK"
    assert entry.actor_id == manager.pk


@pytest.mark.django_db
def test_writes_outside_any_request_have_no_actor_even_after_one_on_the_same_connection(client, world):
    # given a request that wrote as the manager on this very connection
    client.force_login(world.users["manager"])
    client.post(
        reverse("engagements:edit", args=[world.engagement.pk]),
        {"country": "PE", "title": "By the manager", "phase": "assessment", "start_date": "2025-01-15"},
    )
    # when code outside any request writes (a shell, a migration)
    Engagement.objects.filter(pk=world.engagement.pk).update(title="By nobody in particular")
    # then it is not attributed to the last web user
    entry = last_entry_for(world.engagement)
    assert entry.after["title"] == "By nobody in particular"
    assert entry.actor_id is None and entry.context == ""


@pytest.mark.django_db
def test_the_actor_survives_a_rolled_back_savepoint():
    manager = make_user("manager", "PE")
    agency = AgencyFactory(country_id="PE")
    with acting_as(manager, "test"), transaction.atomic():
        try:
            with transaction.atomic():
                Agency.objects.filter(pk=agency.pk).update(acronym="GONE")
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        Agency.objects.filter(pk=agency.pk).update(acronym="KEPT")
    entry = last_entry_for(agency)
    assert entry.after["acronym"] == "KEPT" and entry.actor_id == manager.pk


@shared_task(name="tests.audit.rename_agency")
def rename_agency(agency_id: int, name: str) -> None:
    Agency.objects.filter(pk=agency_id).update(name=name)


@pytest.mark.services
def test_a_task_in_a_real_worker_runs_as_the_user_who_queued_it(celery_worker):
    # given
    manager = make_user("manager", "PE")
    agency = AgencyFactory(country_id="PE")
    # when the manager queues the task and a worker runs it
    with acting_as(manager, "test"):
        result = rename_agency.delay(agency.pk, "Renamed by a worker")
    result.get(timeout=20)
    # then
    entry = last_entry_for(agency)
    assert entry.after["name"] == "Renamed by a worker"
    assert entry.actor_id == manager.pk
    assert entry.context == "task tests.audit.rename_agency"


# The trail itself


@pytest.mark.django_db
def test_the_trail_refuses_to_be_changed_or_deleted():
    AgencyFactory(country_id="PE")
    entry = AuditEntry.objects.last()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_username="someone else")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk, actor_username=entry.actor_username).exists()


@pytest.mark.django_db
def test_the_purge_command_deletes_only_what_is_older_than_the_date():
    AgencyFactory(country_id="PE")
    count = AuditEntry.objects.count()
    call_command("purge_audit_trail", "--before", "2000-01-01")
    assert AuditEntry.objects.count() == count
    call_command("purge_audit_trail", "--before", "2999-01-01")
    assert AuditEntry.objects.count() == 0


# Reading it


@pytest.mark.django_db
def test_a_manager_sees_the_entries_of_their_countries_only(client, world):
    client.force_login(world.users["manager"])
    response = client.get(reverse("audit:list"), {"model": "engagements.engagement"})
    assert response.status_code == 200
    shown = {entry.object_pk for entry, _name in response.context["rows"]}
    assert str(world.engagement.pk) in shown
    assert str(world.other_engagement.pk) not in shown


@pytest.mark.django_db
def test_the_entry_page_shows_before_and_after(client, world):
    Engagement.objects.filter(pk=world.engagement.pk).update(title="After the change")
    entry = last_entry_for(world.engagement)
    client.force_login(world.users["manager"])
    page = client.get(reverse("audit:detail", args=[entry.pk])).content.decode()
    assert "Own engagement" in page and "After the change" in page


@pytest.mark.django_db
def test_the_history_link_appears_on_the_engagement_page_for_managers_only(client, world):
    client.force_login(world.users["manager"])
    assert "Change history" in client.get(reverse("engagements:detail", args=[world.engagement.pk])).content.decode()
    client.force_login(world.users["counterpart"])
    assert "Change history" not in client.get(reverse("engagements:detail", args=[world.engagement.pk])).content.decode()


@pytest.mark.django_db
def test_bad_filters_give_a_clear_error_and_no_500(client, world):
    client.force_login(world.users["admin"])
    response = client.get(reverse("audit:list"), {"country": "Peru!", "date_from": "yesterday", "model": "x.y"})
    assert response.status_code == 200
    errors = response.context["filters"].errors
    assert {"country", "date_from", "model"} <= set(errors)


@pytest.mark.django_db
def test_the_list_page_costs_the_same_queries_with_more_entries(client, world, django_assert_max_num_queries):
    client.force_login(world.users["manager"])
    client.get(reverse("audit:list"))
    AgencyFactory.create_batch(30, country_id="PE")
    with django_assert_max_num_queries(9):  # 8, and the header's count of unread notifications
        client.get(reverse("audit:list"))


# Failed sign-ins and refused accesses


@pytest.mark.django_db
def test_a_failed_sign_in_is_recorded_and_logged(client, caplog):
    make_user("manager", "PE", username="maria")
    with caplog.at_level(logging.WARNING, logger="ta_portal.security"):
        client.post(reverse("accounts:login"), {"username": "maria", "password": "wrong"}, REMOTE_ADDR="198.51.100.7")
    failure = FailedLogin.objects.get()
    assert (failure.username, failure.ip, failure.reason) == ("maria", "198.51.100.7", "bad_credentials")
    assert "failed sign-in" in caplog.text and "maria" in caplog.text
    assert PASSWORD not in caplog.text


@pytest.mark.django_db
@pytest.mark.parametrize("api", [False, True])
def test_reaching_for_another_countrys_record_is_logged(client, world, caplog, api):
    client.force_login(world.users["counterpart"])
    url = (
        f"/api/v1/engagements/{world.other_engagement.pk}/"
        if api
        else reverse("engagements:detail", args=[world.other_engagement.pk])
    )
    with caplog.at_level(logging.WARNING, logger="ta_portal.security"):
        response = client.get(url)
    assert response.status_code == 404
    assert "access refused status=404" in caplog.text and "counterpart_pe" in caplog.text
