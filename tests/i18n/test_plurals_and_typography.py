"""Counts read right in every language (ngettext, never "1 certificates issued" nor "1 mises en
œuvre"), and the French catalogue follows French typography: a non-breaking space before : ; ? !"""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context
from django.template import Template
from django.utils import translation
from django.utils.translation import ngettext
from django.utils.translation import npgettext

from tests.i18n.po import read_po
from tests.i18n.typography import bad_marks
from tests.i18n.typography import fix

FRENCH = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_every_french_translation_has_a_non_breaking_space_before_high_punctuation():
    bad = [
        (entry.where(), mark) for entry in read_po(FRENCH) for text in entry.msgstr.values() for mark in bad_marks(text)
    ]
    assert not bad, f"{len(bad)} French texts lack a non-breaking space before : ; ? ! — e.g. {bad[:5]}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Justification : %(r)s", "Justification\u00a0: %(r)s"),
        ("Vraiment?", "Vraiment\u00a0?"),
        ("Déjà\u202f!", "Déjà\u202f!"),
        ("Voir https://example.org/a?b=1 ; fin", "Voir https://example.org/a?b=1\u00a0; fin"),
        ("De 09:00 à 13:00", "De 09:00 à 13:00"),
    ],
)
def test_the_typography_check_knows_prose_from_addresses_and_times(text, expected):
    assert fix(text) == expected
    assert not bad_marks(expected)


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 certificate issued;", "2 certificates issued;"),
        ("fr", "1 certificat délivré\u00a0;", "2 certificats délivrés\u00a0;"),
        ("es", "1 certificado emitido;", "2 certificados emitidos;"),
    ],
)
def test_issued_certificates_are_counted_in_the_right_number(language, one, two):
    singular = "%(n)s certificate issued; its PDF is being prepared and e-mailed to the participant."
    plural = "%(n)s certificates issued; their PDFs are being prepared and e-mailed to the participants."
    with translation.override(language):
        assert (ngettext(singular, plural, 1) % {"n": 1}).startswith(one)
        assert (ngettext(singular, plural, 2) % {"n": 2}).startswith(two)


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load i18n %}" + source).render(Context(context))


def test_the_board_counts_implemented_measures_in_french():
    with translation.override("fr"):
        assert npgettext("measures", "%(n)s implemented", "%(n)s implemented", 1) % {"n": 1} == "1 mise en œuvre"
        assert npgettext("measures", "%(n)s implemented", "%(n)s implemented", 3) % {"n": 3} == "3 mises en œuvre"


def test_one_due_round_of_two_reads_right_in_french():
    board = (Path(settings.BASE_DIR) / "templates" / "followups" / "board.html").read_text()
    snippet = next(line for line in board.splitlines() if "due round" in line)
    snippet = snippet.replace("compliance.rounds_submitted_on_time", "on_time").replace("compliance.rounds_due", "due")
    assert "1 sur 2 cycles échus" in _render(snippet, "fr", on_time=1, due=2)
    assert "1 of 1 due round<" in _render(snippet, "en", on_time=1, due=1)


def test_the_report_counts_one_challenge_in_the_singular():
    report = (Path(settings.BASE_DIR) / "templates" / "assessments" / "report.html").read_text()
    snippet = next(line for line in report.splitlines() if "The assessment records" in line)
    counts = {"challenge": 1, "opportunity": 2, "good_practice": 0}
    assert "records 1 challenge, 2 opportunities and 0 good practices." in _render(snippet, "en", counts=counts)
    assert "relève 1 difficulté, 2 opportunités et 0 bonne pratique." in _render(snippet, "fr", counts=counts)
