import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Every test stores uploads in its own directory, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
