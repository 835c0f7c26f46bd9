"""Every user-facing string of the portal is translated in each of the four catalogues.

The strings come from what `makemessages` extracts from the source right now, so a string added to a
template, a form or an API error without a translation fails here, naming the file it came from.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import need

from .catalogues import LANGUAGE_CODES
from .catalogues import ROOT
from .catalogues import catalogue_path
from .catalogues import extract
from .catalogues import untranslated
from .po import read_po


@pytest.fixture(scope="module")
def extracted():
    need(shutil.which("msgmerge") is not None, "gettext (Debian package `gettext`)")
    # Not tmp_path_factory: pytest sessions running in parallel prune each other's old base temp dirs.
    with tempfile.TemporaryDirectory(prefix="ta-portal-catalogues-") as directory:
        yield extract(Path(directory))


def test_the_portal_offers_english_spanish_portuguese_and_french():
    assert LANGUAGE_CODES == ["en", "es", "pt", "fr"]


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_every_user_facing_string_is_translated(extracted, language):
    # given: the catalogue as makemessages would leave it for the current source
    missing = untranslated(catalogue_path(extracted, language))

    # then: nothing is new, empty or fuzzy
    if missing:
        listing = "\n".join(
            f"  {entry.where()}: {entry.msgid[:90]!r}{' (fuzzy)' if entry.fuzzy else ''}" for entry in missing[:80]
        )
        pytest.fail(
            f"{len(missing)} string(s) untranslated in locale/{language} (run `make catalogues`, then translate "
            f"the empty and fuzzy entries):\n{listing}",
            pytrace=False,
        )


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_the_shipped_catalogue_has_no_fuzzy_or_empty_entries(language):
    path = catalogue_path(ROOT, language)
    assert path.exists(), f"locale/{language} has no catalogue"
    missing = [entry.msgid for entry in read_po(path) if not entry.translated]
    if missing:
        pytest.fail(f"locale/{language}: {len(missing)} fuzzy or empty entries, e.g. {missing[:10]}", pytrace=False)


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_the_catalogue_compiles_with_matching_placeholders(language):
    need(shutil.which("msgfmt") is not None, "gettext (Debian package `gettext`)")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(catalogue_path(ROOT, language))],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
