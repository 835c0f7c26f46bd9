"""No user-facing text bypasses gettext: every template's literal words sit inside a translation
tag, and every label, message and error string in the code goes through `_()`. (The catalogue test
then checks that what goes through gettext is translated.)"""

from pathlib import Path

import pytest
from django.conf import settings

from .untranslated_text import untranslated_python_strings
from .untranslated_text import untranslated_template_text

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(path for path in (ROOT / "templates").rglob("*") if path.suffix in (".html", ".txt"))
# Demo and load-test data are content, like what users type in, not interface text.
CONTENT_MODULES = {"demo.py", "generate_scale_data.py"}
PYTHON = sorted(
    path
    for app in settings.PORTAL_APPS + ["ta_portal"]
    for path in (ROOT / app).rglob("*.py")
    if "migrations" not in path.parts and path.name not in CONTENT_MODULES
)


def test_the_checks_see_untranslated_text(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        '{% load i18n %}<h1>{% translate "Fine" %}</h1><p>Forgotten words</p>'
        '<a href="{% url \'home\' %}" aria-label="Close">{{ value }}</a>'
        "{% blocktranslate %}Also fine{% endblocktranslate %}<script>var ok = 1;</script><p>PDF · CSV</p>"
    )
    assert untranslated_template_text(template) == ["Forgotten words", 'aria-label="Close"']
    module = tmp_path / "forms.py"
    module.write_text(
        "from django.utils.translation import gettext_lazy as _\n"
        "a = forms.CharField(label='Untranslated', help_text=_('Fine'))\n"
        "messages.success(request, 'Saved.')\n"
        "raise ValidationError(_('Fine'))\n"
    )
    assert untranslated_python_strings(module) == [(2, "Untranslated"), (3, "Saved.")]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_template_text_goes_through_gettext(path):
    assert untranslated_template_text(path) == []


def test_labels_messages_and_errors_in_the_code_go_through_gettext():
    found = {
        f"{path.relative_to(ROOT)}:{line}": text for path in PYTHON for line, text in untranslated_python_strings(path)
    }
    assert found == {}
