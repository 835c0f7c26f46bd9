"""Cached results (outcome figures, dashboards, the API engagement list) are served until the data
they are computed from changes, whatever path changes it; a reader never gets another scope's."""

import io
import re
from datetime import date

import pytest
from django.apps import apps
from django.core.cache import cache as django_cache
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import m2m_changed
from django.db.models.signals import post_delete
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from engagements.management.commands import seed_demo
from engagements.models import ControlledSubstance
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import Programme
from engagements.reference_data import load_translations
from engagements.reference_data import read_translations
from followups.models import Measure
from ta_portal import datacache
from tests.factories import PersonFactory
from tests.factories import make_user
from tests.trainings.factories import SessionFactory
from trainings.models import Enrolment
from trainings.services import enrol_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings, redis_url):
    settings.DATA_CACHE_SECONDS = 60
    datacache.bump()
    return settings


def outcome(client, engagement) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/outcomes/engagements/{engagement.pk}/")
    assert response.status_code == 200
    return response.json(), len(queries)


def measure(engagement, status: str) -> Measure:
    return Measure.objects.create(engagement=engagement, title=f"A measure {status}", status=status)


def test_figures_are_served_from_the_cache_until_the_data_changes(client, world, cached):
    client.force_login(world.users["manager"])
    measure(world.engagement, "implemented")
    computed, computing_queries = outcome(client, world.engagement)

    served, serving_queries = outcome(client, world.engagement)

    assert served == computed
    assert serving_queries < computing_queries
    assert computed["measures"]["total"] == 1


@pytest.mark.parametrize(
    "change",
    [
        "create",
        "save",
        "queryset update",
        "bulk create",
        "raw SQL",
        "delete",
        "queryset delete",
    ],
)
def test_any_write_to_the_data_shows_at_once(client, world, cached, change):
    client.force_login(world.users["manager"])
    first = measure(world.engagement, "in_progress")
    before, _queries = outcome(client, world.engagement)
    assert before["measures"]["by_status"]["implemented"] == 0

    # when: the data changes by one of the ways code writes
    # (writes that send no signal say what they changed, as the services that write in bulk do)
    if change == "create":
        measure(world.engagement, "implemented")
    elif change == "save":
        first.status = "implemented"
        first.save()
    elif change == "queryset update":
        Measure.objects.filter(pk=first.pk).update(status="implemented")
        datacache.changed(Measure)
    elif change == "bulk create":
        Measure.objects.bulk_create([Measure(engagement=world.engagement, title="Bulk", status="implemented")])
        datacache.changed(Measure)
    elif change == "raw SQL":
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{Measure._meta.db_table}" SET status = %s WHERE id = %s', ["implemented", first.pk]
            )
        datacache.changed(Measure)
    elif change == "delete":
        first.delete()
    else:
        Measure.objects.filter(pk=first.pk).delete()

    after, _queries = outcome(client, world.engagement)

    # then: the next answer has it
    if change in ("delete", "queryset delete"):
        assert after["measures"]["total"] == 0
    else:
        assert after["measures"]["by_status"]["implemented"] == 1


def test_a_committed_write_forgets_the_figures_again_after_the_commit(
    world, cached, django_capture_on_commit_callbacks
):
    # given: a write inside a transaction
    start = int(datacache.versions())
    with django_capture_on_commit_callbacks(execute=True):
        written = measure(world.engagement, "implemented")
        written.priority = "high"
        written.save()
        during = int(datacache.versions())

    # then: moved by each write (the transaction reads fresh figures) and once more at the commit
    # (figures a concurrent reader computed just before the commit are never asked for)
    assert during == start + 2
    assert int(datacache.versions()) == during + 1


def test_writes_elsewhere_keep_the_figures(client, world, cached):
    client.force_login(world.users["manager"])
    start = datacache.versions()

    client.get("/outcomes/")  # saves the session, notes nothing else
    world.users["viewer"].save(update_fields=["last_login"])

    assert datacache.versions() == start


def test_each_reader_gets_the_figures_of_their_own_countries(client, world, cached):
    measure(world.engagement, "implemented")
    measure(world.other_engagement, "cancelled")
    own = make_user("viewer", "PE")
    other = make_user("viewer", "CO")

    client.force_login(own)
    own_rows = client.get("/api/v1/outcomes/countries/").json()["results"]
    client.force_login(other)
    other_rows = client.get("/api/v1/outcomes/countries/").json()["results"]

    assert [row["country"] for row in own_rows] == ["PE"]
    assert [row["country"] for row in other_rows] == ["CO"]


def _watched(signal, model) -> bool:
    sync_receivers, async_receivers = signal._live_receivers(model)
    return datacache._on_write in [*sync_receivers, *async_receivers]


@pytest.mark.parametrize("label", datacache.DATA_APPS)
def test_every_model_of_the_data_moves_the_versions_when_written(label):
    for model in apps.get_app_config(label).get_models():
        assert _watched(post_save, model), model
        assert _watched(post_delete, model), model
        for field in model._meta.local_many_to_many:
            assert m2m_changed.has_listeners(field.remote_field.through), field


@pytest.mark.parametrize(
    ("model", "watched"),
    [
        ("followups.measure", True),
        ("trainings.enrolment", True),
        ("assessments.finding", True),
        ("engagements.engagement", True),
        ("sessions.session", False),
        ("audit.auditentry", False),
        ("accounts.user", False),
        ("network.network", False),
    ],
)
def test_which_writes_change_the_figures(model, watched):
    assert _watched(post_save, apps.get_model(model)) is watched


def test_a_bulk_write_by_a_service_moves_the_version_of_its_table(world, cached):
    # given: a training session, and people enrolled in it by the service (one bulk_create)
    session = SessionFactory(engagement=world.engagement)
    person = PersonFactory()
    start = datacache.versions(Enrolment._meta.db_table)

    enrol_people(session=session, people=[person])

    assert datacache.versions(Enrolment._meta.db_table) != start


def test_nothing_is_cached_without_a_shared_cache(settings):
    settings.DATA_CACHE_SECONDS = 60
    settings.REDIS_URL = ""  # a per-process memory cache would not see other processes' writes

    assert datacache.enabled() is False


def test_the_version_survives_a_lost_counter(cached):
    before = int(datacache.versions())
    django_cache.delete(datacache.version_key())

    # a new counter (it starts from the clock) never goes back to a version used before
    assert int(datacache.versions()) > before


def _page(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    # The CSRF token and the script nonce differ on every response anyway.
    return re.sub(rb'(csrfmiddlewaretoken" value="|nonce=")[^"]+', b"", response.content)


@pytest.mark.parametrize(
    "url", ["/outcomes/countries/PE/", "/outcomes/countries/PE/?year=2025", "/outcomes/programmes/precursors/"]
)
def test_a_dashboard_from_the_cache_is_the_page_computed_anew(client, world, cached, url):
    programme = Programme.objects.create(name="Precursors", code="precursors", start_date=date(2024, 1, 1))
    Engagement.objects.filter(pk=world.engagement.pk).update(programme=programme)
    client.force_login(world.users["manager"])
    measure(world.engagement, "implemented")
    computed = _page(client, url)
    served = _page(client, url)
    cached.DATA_CACHE_SECONDS = 0

    assert served == computed == _page(client, url)


def test_a_dashboard_shows_a_change_at_once(client, world, cached):
    url = "/outcomes/countries/PE/"
    client.force_login(world.users["manager"])
    measure(world.engagement, "implemented")
    before = _page(client, url)

    measure(world.engagement, "cancelled")
    after = _page(client, url)

    assert after != before
    cached.DATA_CACHE_SECONDS = 0
    assert after == _page(client, url)


def test_the_api_engagement_list_changes_only_with_the_engagements(client, world, cached):
    client.force_login(world.users["manager"])
    url = "/api/v1/engagements/?page_size=100"
    first = client.get(url).json()

    # when: other data changes, the list is served from the cache (no query for its rows)
    measure(world.engagement, "implemented")
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url).json()
    assert again == first
    assert not any('FROM "engagements_engagement"' in q["sql"] for q in queries.captured_queries)

    # when: an engagement changes, the next answer has it
    world.engagement.title = "Renamed"
    world.engagement.save()
    titles = [row["title"] for row in client.get(url).json()["results"]]
    assert "Renamed" in titles


def test_the_api_engagement_list_is_cached_per_scope_and_url(client, world, cached):
    own, other = make_user("manager", "PE"), make_user("manager", "CO")
    client.force_login(own)
    assert [r["country"] for r in client.get("/api/v1/engagements/").json()["results"]] == ["PE"]
    assert client.get("/api/v1/engagements/?country=CO").json()["count"] == 0

    client.force_login(other)
    assert [r["country"] for r in client.get("/api/v1/engagements/").json()["results"]] == ["CO"]


def test_a_bad_filter_is_still_refused_with_the_cache_on(client, world, cached):
    client.force_login(world.users["manager"])

    assert client.get("/api/v1/engagements/?page=99").status_code == 404
    assert client.get("/api/v1/engagements/?programme=not-a-number").status_code == 400


def test_the_reference_loader_forgets_the_cached_figures(client, world, cached):
    # given: a shipped country whose translations an old load did not give it (written without a signal)
    code = next(iter(read_translations()["countries"]))
    Country.objects.filter(code=code).update(translations={})
    client.force_login(world.users["manager"])
    computed, computing_queries = outcome(client, world.engagement)
    _served, serving_queries = outcome(client, world.engagement)
    assert serving_queries < computing_queries

    # when: the reference loader fills them in (bulk_update: no signal)
    assert load_translations(Country, ControlledSubstance) >= 1

    # then: the figures are computed anew, not served from before the load
    recomputed, recomputing_queries = outcome(client, world.engagement)
    assert recomputing_queries == computing_queries
    assert recomputed == computed


def test_seed_demo_forgets_the_cached_figures(client, world, cached, monkeypatch):
    # given: figures in the cache, and a demo that writes in bulk (no signal), as the apps' demos do
    client.force_login(world.users["manager"])
    before, _queries = outcome(client, world.engagement)
    assert before["measures"]["total"] == 0

    class Demo:
        @staticmethod
        def seed(out):
            Measure.objects.bulk_create([Measure(engagement=world.engagement, title="A demo measure", status="implemented")])

    monkeypatch.setattr(seed_demo, "portal_modules", lambda name: [Demo])

    # when: the demo world is seeded
    call_command("seed_demo", force=True, stdout=io.StringIO())

    # then: the figures count what the demo wrote
    after, _queries = outcome(client, world.engagement)
    assert after["measures"]["total"] == 1


def test_keys_stay_short_and_plain_whatever_their_parts(cached):
    """Memcached and Redis both take keys of up to 250 plain characters; a tuple of navigation
    paths or a search text must not make a longer one, nor two different parts the same key."""
    sections = tuple(f"/section-{number}/" for number in range(40))
    long_key = datacache.key_for("work-counts", (1, date(2026, 1, 1), None, sections))
    other_key = datacache.key_for("work-counts", (1, date(2026, 1, 1), None, sections[:-1]))
    spaced_key = datacache.key_for("search", ("two words",))
    for key in (long_key, other_key, spaced_key):
        assert len(key) <= 250
        assert key.isprintable() and " " not in key
    assert long_key != other_key
    short_key = datacache.key_for("outcome", (7, "PE"))
    assert short_key.endswith(":7:PE")
