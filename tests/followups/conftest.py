import pytest

from engagements.models import Country
from engagements.reference_data import load_countries


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Every test stores evidence files in its own directory, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reference_countries():
    """Transactional tests start from an empty database: put the reference countries back."""
    if not Country.objects.filter(code="PE").exists():
        load_countries(Country)
