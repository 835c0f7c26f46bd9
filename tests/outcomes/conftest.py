import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Rendered reports go to a directory of the test's own, removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
