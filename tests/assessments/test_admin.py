"""The framework in the admin: a version in use keeps its texts (translations may still improve),
and "make a new version" copies it for editing."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessments.models import Framework
from tests.assessments.factories import default_framework
from tests.assessments.factories import make_assessment
from tests.factories import make_user

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would post back from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.setdefault(self._select, []).append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data.lstrip("\n") if not self.data[self._textarea][-1] else data


def _posted_back(client, url) -> dict:
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    return {name: values if len(values) > 1 else values[0] for name, values in parser.data.items()}


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    return client


def test_a_framework_in_use_saves_unchanged_and_takes_a_better_translation_but_not_new_texts(admin_client):
    # given version 1 used by an assessment
    make_assessment(levels={"legal": 2})
    framework = default_framework()
    url = reverse("admin:assessments_framework_change", args=[framework.pk])
    data = _posted_back(admin_client, url)
    # when the admin saves it with a new Spanish name for the first dimension and a posted English text
    prefix = "dimensions-0"
    spanish = next(k for k in data if k.startswith(prefix) and k.endswith("name_es"))
    data[spanish] = "Marco jurídico y normativo"
    data[f"{prefix}-level_3"] = "An attempt to rewrite level 3"
    response = admin_client.post(url, data)
    # then the translation is kept and the frozen text is not changed
    assert response.status_code == 302, response.content.decode()[:2000]
    legal = framework.dimensions.get(code="legal")
    assert legal.local_name("es") == "Marco jurídico y normativo"
    assert legal.level_3 != "An attempt to rewrite level 3"


def test_the_admin_action_makes_a_new_editable_version(admin_client):
    make_assessment(levels={"legal": 2})
    framework = default_framework()
    response = admin_client.post(
        reverse("admin:assessments_framework_changelist"),
        {"action": "make_new_version", "_selected_action": [framework.pk]},
    )
    assert response.status_code == 302
    version_2 = Framework.objects.get(code=framework.code, version=2)
    assert version_2.dimensions.count() == 13 and not version_2.in_use
    page = admin_client.get(reverse("admin:assessments_framework_change", args=[version_2.pk]))
    assert 'name="dimensions-0-level_3"' in page.content.decode()
