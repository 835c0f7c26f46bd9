import pytest

from tests.factories import make_user


@pytest.fixture
def otp_required(settings):
    """The production rule: administrators and managers must use a second factor."""
    settings.OTP_REQUIRED_ROLES = ["admin", "manager"]


@pytest.fixture
def manager(db):
    return make_user("manager", "PE", username="maria", email="maria@example.org")


@pytest.fixture
def counterpart(db):
    return make_user("counterpart", "PE", username="rosa")
