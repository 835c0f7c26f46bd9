"""The notifications page, the header's unread count, marking read, the profile's digest choice,
and the API: each user's own notifications only, newest first, in the reader's language."""

from datetime import UTC
from datetime import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from notifications import selectors
from notifications.models import Notification
from notifications.models import NotificationPreference
from notifications.services import notify
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def notification(user, *, kind="followups.report_accepted", measure="Adopt the plan", day=1, read=False, url="/x/"):
    return Notification.objects.create(
        recipient=user,
        kind=kind,
        params={"measure": measure},
        url=url,
        created_at=datetime(2026, 3, day, 9, tzinfo=UTC),
        read_at=datetime(2026, 3, day, 10, tzinfo=UTC) if read else None,
    )


@pytest.fixture
def ana(db):
    return make_user(Role.COUNTERPART, "PE", username="ana", language="es")


@pytest.fixture
def ben(db):
    return make_user(Role.COUNTERPART, "PE", username="ben")


def test_the_page_lists_one_s_own_newest_first_unread_marked_in_one_s_language(client, ana, ben):
    notification(ana, measure="Older", day=1, read=True)
    notification(ana, measure="Newer", day=2)
    notification(ben, measure="Ben's own", day=3)
    client.force_login(ana)
    response = client.get(reverse("notifications:list"))
    html = response.content.decode()
    assert [n.params["measure"] for n in response.context["page"]] == ["Newer", "Older"]
    assert "Ben's own" not in html
    assert "Su informe sobre «Newer» fue aceptado." in html  # in the reader's language
    assert response.context["unread"] == 1
    assert html.count('class="badge text-bg-dark me-1"') == 1  # one marked unread


def test_the_header_shows_the_unread_count_on_every_page(client, ana):
    notification(ana, day=1)
    notification(ana, day=2)
    notification(ana, day=3, read=True)
    client.force_login(ana)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="notifications-link"' in html
    assert '<span class="badge rounded-pill text-bg-warning">2<' in html


def test_marking_one_read_and_opening_it(client, ana):
    first = notification(ana, day=1, url="/followups/")
    client.force_login(ana)
    response = client.post(reverse("notifications:read", args=[first.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/followups/"
    first.refresh_from_db()
    assert not first.unread


def test_someone_else_s_notification_is_404_and_stays_unread(client, ana, ben):
    theirs = notification(ben)
    client.force_login(ana)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.unread


def test_an_outside_link_is_never_followed(client, ana):
    odd = notification(ana, url="https://elsewhere.example/")
    client.force_login(ana)
    response = client.post(reverse("notifications:read", args=[odd.pk]), {"open": "1"})
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read_marks_only_one_s_own(client, ana, ben):
    notification(ana, day=1)
    notification(ana, day=2)
    theirs = notification(ben)
    client.force_login(ana)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert Notification.objects.filter(recipient=ana, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.unread
    assert "2 notificaciones marcadas como leídas." in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_takes_the_same_queries_whatever_the_number(client, ana, count, django_assert_max_num_queries):
    for day in range(1, count + 1):
        notification(ana, day=1 + day % 28)
    client.force_login(ana)
    client.get(reverse("notifications:list"))  # the session and the user, loaded once
    with django_assert_max_num_queries(12):
        assert client.get(reverse("notifications:list")).status_code == 200


def test_the_profile_offers_the_digest_choice_and_saves_it(client, ana):
    client.force_login(ana)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="digest"' in html and 'id="calendar-url"' in html
    client.post(reverse("notifications:digest"), {"digest": "weekly"})
    assert NotificationPreference.objects.get(user=ana).digest == "weekly"
    client.post(reverse("notifications:digest"), {"digest": "hourly"})  # not a choice: nothing saved
    assert NotificationPreference.objects.get(user=ana).digest == "weekly"


def test_the_api_lists_one_s_own_newest_first_with_the_unread_flag(ana, ben):
    notification(ana, measure="Older", day=1, read=True)
    notification(ana, measure="Newer", day=2)
    notification(ben, measure="Ben's own", day=3)
    api = APIClient()
    api.force_authenticate(ana)
    body = api.get("/api/v1/notifications/").json()
    assert body["count"] == 2
    assert [(row["params"]["measure"], row["unread"]) for row in body["results"]] == [("Newer", True), ("Older", False)]
    assert body["results"][0]["text"] == "Su informe sobre «Newer» fue aceptado."


def test_the_api_marks_one_read_and_answers_404_for_another_user_s(ana, ben):
    mine, theirs = notification(ana), notification(ben)
    api = APIClient()
    api.force_authenticate(ana)
    response = api.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert api.post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 200  # again: still read
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert api.post("/api/v1/notifications/999999/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.unread


def test_an_old_notification_whose_kind_is_gone_still_reads(client, ana):
    Notification.objects.create(recipient=ana, kind="gone.kind", params={})
    Notification.objects.create(recipient=ana, kind="followups.report_accepted", params={})  # parameter missing
    client.force_login(ana)
    assert client.get(reverse("notifications:list")).status_code == 200


def test_the_header_count_follows_new_and_read_notifications_at_once(client, ana, django_capture_on_commit_callbacks):
    client.force_login(ana)
    badge = '<span class="badge rounded-pill text-bg-warning">{}<'
    first = notification(ana, day=1)
    assert badge.format(1) in client.get(reverse("accounts:profile")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[ana], kind="followups.report_accepted", params={"measure": "Plan"})
    assert badge.format(2) in client.get(reverse("accounts:profile")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:read", args=[first.pk]))
    assert badge.format(1) in client.get(reverse("accounts:profile")).content.decode()


def test_the_header_count_is_one_query_whatever_the_number_of_notifications(ana, django_assert_num_queries):
    notification(ana)
    with django_assert_num_queries(1):
        assert selectors.unread_count(ana) == 1
    for _ in range(5):
        notification(ana)
    with django_assert_num_queries(1):
        assert selectors.unread_count(ana) == 6
