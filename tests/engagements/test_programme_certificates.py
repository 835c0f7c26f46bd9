"""What a programme's certificates print, set by its managers: issuer, logo (checked by its content)
and up to three signatories; the portal's default fills what a programme leaves empty."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from engagements.certificates import issuer_for
from engagements.models import Programme


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def programme(world):
    programme = Programme.objects.create(name="Precursor control in the Andes", code="andes")
    world.engagement.programme = programme
    world.engagement.save()
    return programme


def _png(name="logo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (60, 20), (11, 61, 99)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _url(programme):
    return reverse("engagements:programme_certificates", args=[programme.code])


def test_a_manager_sets_the_issuer_signatories_and_logo(client, world, programme):
    client.force_login(world.users["manager"])

    response = client.post(
        _url(programme),
        {
            "certificate_issuer": "OAS · CICAD",
            "signatory_1_name": "Adam Namm",
            "signatory_1_title": "Executive Secretary",
            "signatory_3_name": "Lucía Paredes",
            "certificate_logo": _png(),
        },
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    issuer = issuer_for(programme)
    assert issuer.name == "OAS · CICAD"
    assert [(s.name, s.title) for s in issuer.signatories] == [("Adam Namm", "Executive Secretary"), ("Lucía Paredes", "")]
    assert issuer.logo_uri.startswith("data:image/png;base64,")
    assert programme.certificate_logo.name.endswith(".png") and "logo" not in programme.certificate_logo.name.split("/")[-1]


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(client, world, programme):
    client.force_login(world.users["manager"])
    fake = SimpleUploadedFile("logo.png", b"MZ\x90\x00 not an image at all", content_type="image/png")

    response = client.post(_url(programme), {"certificate_issuer": "Changed", "certificate_logo": fake})

    assert response.status_code == 200
    assert "is not a PNG or JPEG image" in " ".join(response.context["form"].errors["certificate_logo"])
    programme.refresh_from_db()
    assert programme.certificate_issuer == "" and not programme.certificate_logo


def test_a_title_without_a_name_is_refused(client, world, programme):
    client.force_login(world.users["manager"])

    response = client.post(_url(programme), {"signatory_2_title": "Director"})

    assert response.status_code == 200
    assert response.context["form"].errors["signatory_2_name"]
    programme.refresh_from_db()
    assert programme.certificate_signatories == []


def test_what_a_programme_leaves_empty_comes_from_the_portals_default(world, programme, settings):
    settings.CERTIFICATE_ISSUER = "Portal-wide issuer"
    settings.CERTIFICATE_SIGNATORIES = [("Marta Gómez", "Director")]

    assert issuer_for(programme).name == "Portal-wide issuer"
    assert [(s.name, s.title) for s in issuer_for(None).signatories] == [("Marta Gómez", "Director")]
    programme.certificate_issuer = "Own issuer"
    assert issuer_for(programme).name == "Own issuer"


def test_trainers_and_viewers_do_not_configure_certificates(client, world, programme):
    for role in ("trainer", "viewer", "counterpart"):
        client.force_login(world.users[role])
        assert client.get(_url(programme)).status_code == 403
