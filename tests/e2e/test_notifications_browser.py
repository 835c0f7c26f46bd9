"""In Debian's Chromium: a manager told of a report waiting for verification finds it from the
header's unread count, opens it in one click (which marks it read), chooses a weekly digest and
finds the calendar address on the profile page; both pages pass axe-core."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page
from playwright.sync_api import expect

from accounts.roles import Role
from engagements.models import Country
from engagements.reference_data import load_countries
from notifications.models import NotificationPreference
from tests.factories import PASSWORD
from tests.factories import make_user
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.followups.factories import report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"), timeout=20_000)


def serious(axe: Axe, page: Page) -> list[str]:
    violations = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]


def test_a_manager_goes_from_the_unread_count_to_the_report_and_sets_the_digest(page: Page, live_server, settings):
    # given: a counterpart's report waiting for María's verification (committed, so she is told)
    settings.SITE_URL = live_server.url
    load_countries(Country)
    engagement = other_engagement("PE", title="Peru follow-up")
    manager = make_user(Role.MANAGER, "PE", username="maria")
    engagement.managers.add(manager)
    measure = make_measure(engagement, title="Adopt a risk-based inspection plan", by=manager)
    round_ = open_round(engagement, due_date=timezone.localdate() + timedelta(days=20))
    rosa = make_user(Role.COUNTERPART, "PE", username="rosa", first_name="Rosa", last_name="Quispe")
    with transaction.atomic():
        update = report(measure, round_, rosa)
    axe = Axe()
    # when: María signs in; the header tells her there is one unread notification
    sign_in(page, live_server.url, "maria")
    link = page.get_by_role("link", name=re.compile(r"^Notifications 1 unread"))
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert serious(axe, page) == []
    # then: one click opens the report, and marks the notification read
    page.get_by_role(
        "button",
        name="Rosa Quispe reported on “Adopt a risk-based inspection plan”: the report waits for your verification.",
        exact=True,
    ).click()
    expect(page).to_have_url(re.compile(rf"/followups/updates/{update.pk}/$"))
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    # and on the profile page she chooses a weekly digest and finds her calendar address
    page.goto(f"{live_server.url}/accounts/profile/")
    assert serious(axe, page) == []
    page.get_by_label("Weekly").check()
    page.get_by_role("button", name="Save the digest choice").click()
    expect(page.get_by_text("Your e-mail digest choice was saved.")).to_be_visible()
    assert NotificationPreference.objects.get(user=manager).digest == "weekly"
    address = page.get_by_label("Your calendar address").input_value()
    feed = page.request.get(address)
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "Follow-up report due: Peru follow-up" in feed.text()
