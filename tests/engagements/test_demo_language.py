"""The demo users see the browser's language until they choose one."""

from io import StringIO

import pytest
from django.urls import reverse

from accounts.models import User
from engagements import demo
from engagements.demo import DEMO_USERS

pytestmark = pytest.mark.django_db


def _page_language(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.fixture
def demo_users():
    demo.seed(StringIO())
    return User.objects.filter(username__in=[row[0] for row in DEMO_USERS])


def test_no_demo_user_has_a_language_chosen_for_them(demo_users):
    assert demo_users.count() == len(DEMO_USERS)
    assert set(demo_users.values_list("language", flat=True)) == {""}


@pytest.mark.parametrize("username", ["manager", "viewer"])
def test_a_demo_user_sees_the_browser_s_language_until_they_choose_one(client, demo_users, username):
    client.force_login(demo_users.get(username=username))
    assert _page_language(client.get(reverse("engagements:list"), HTTP_ACCEPT_LANGUAGE="fr")) == "fr"
    assert _page_language(client.get(reverse("engagements:list"), HTTP_ACCEPT_LANGUAGE="pt")) == "pt"
    # when they choose Spanish with the switcher
    client.post(reverse("accounts:set_language"), {"language": "es", "next": "/"}, HTTP_ACCEPT_LANGUAGE="pt")
    # then Spanish it is, whatever the browser says
    client.cookies.pop("django_language", None)
    assert _page_language(client.get(reverse("engagements:list"), HTTP_ACCEPT_LANGUAGE="fr")) == "es"
