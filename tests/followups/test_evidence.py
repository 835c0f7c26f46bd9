"""Evidence files: size limit, type by content, harmless names, private storage, access-checked download."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from followups.models import Evidence
from followups.models import StatusUpdate
from ta_portal.uploads import display_name
from tests.factories import make_user
from tests.followups.factories import docx_bytes
from tests.followups.factories import make_measure
from tests.followups.factories import open_round
from tests.followups.factories import other_engagement
from tests.followups.factories import pdf_upload
from tests.followups.factories import png_upload

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def scene(db):
    engagement = other_engagement("PE")
    measure = make_measure(engagement)
    round_ = open_round(engagement)
    counterpart = make_user(Role.COUNTERPART, "PE", username="rosa")
    return {"engagement": engagement, "measure": measure, "round": round_, "counterpart": counterpart}


def post_report(client, scene, files, action="draft"):
    client.force_login(scene["counterpart"])
    url = reverse("followups:update_save", args=[scene["round"].pk, scene["measure"].pk])
    return client.post(
        url,
        {"action": action, "status": "in_progress", "progress_pct": "30", "narrative": "Done a part.", "files": files},
    )


def test_a_pdf_an_image_and_a_word_document_are_accepted_and_stored_under_random_names(client, scene, private_media):
    files = [pdf_upload("Informe de avance.pdf"), png_upload("foto.png"), SimpleUploadedFile("plan.docx", docx_bytes())]
    response = post_report(client, scene, files)
    assert response.status_code == 302
    stored = list(Evidence.objects.order_by("pk"))
    assert [e.original_name for e in stored] == ["Informe de avance.pdf", "foto.png", "plan.docx"]
    assert [e.content_type for e in stored] == [
        "application/pdf",
        "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    for evidence in stored:
        path = Path(evidence.file.path)
        assert path.is_relative_to(Path(private_media) / "followups" / "evidence")
        assert evidence.original_name.rsplit(".", 1)[0] not in evidence.file.name  # never the user's name
        assert len(path.stem) == 32 and path.exists()


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_saved(client, scene, settings):
    settings.FOLLOWUP_EVIDENCE_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2000, content_type="application/pdf")
    response = post_report(client, scene, [big])
    assert response.status_code == 200
    assert "“big.pdf” is 2.0\xa0KB; files may be at most 1000\xa0bytes." in response.content.decode()
    assert not StatusUpdate.objects.exists() and not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>"),  # a web page renamed to .pdf
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00 an executable"),
        ("report.pdf", b"PK\x03\x04 not really a zip"),
        ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("scan.png", b"\x89PNG\r\n\x1a\n truncated, not an image"),
    ],
)
def test_a_file_whose_content_is_not_an_accepted_type_is_refused(client, scene, name, content):
    response = post_report(client, scene, [SimpleUploadedFile(name, content, content_type="application/pdf")])
    assert response.status_code == 200
    assert "is not a PDF, an image or an office document (its content was checked, not its name)" in (
        response.content.decode()
    )
    assert not Evidence.objects.exists() and not StatusUpdate.objects.exists()


def test_a_real_file_under_another_types_name_is_refused_with_the_fix(client, scene):
    response = post_report(client, scene, [SimpleUploadedFile("minutes.pdf", png_upload().read())])
    assert "“minutes.pdf” is a PNG file but its name ends in “.pdf”; rename it to .png." in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
        ("/var/www/html/index.pdf", "index.pdf"),
        ("evil\x00.pdf", "evil.pdf"),
        ("re\u202eport.pdf", "report.pdf"),  # right-to-left override, a classic for faking extensions
        ('a"b<c>.pdf', "a_b_c_.pdf"),
        ("....pdf", "file.pdf"),
    ],
)
def test_path_tricks_in_names_never_reach_the_file_system(client, scene, private_media, given, shown):
    response = post_report(client, scene, [pdf_upload(given)])
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == shown == display_name(given)
    assert Path(evidence.file.path).resolve().is_relative_to(Path(private_media).resolve())
    assert evidence.file.name.startswith("followups/evidence/")
    assert "/" not in evidence.original_name and "\\" not in evidence.original_name


def test_more_than_ten_files_are_refused(client, scene):
    response = post_report(client, scene, [pdf_upload(f"f{i}.pdf") for i in range(11)])
    assert "An update may have at most 10 files." in response.content.decode()
    assert not Evidence.objects.exists()


def test_the_download_is_served_as_an_attachment_to_those_who_may_see_it(client, scene):
    post_report(client, scene, [pdf_upload("Informe.pdf")])
    evidence = Evidence.objects.get()
    manager = make_user(Role.MANAGER, "PE")
    client.force_login(manager)
    response = client.get(reverse("followups:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="Informe.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("role", "country"),
    [(Role.COUNTERPART, "CO"), (Role.MANAGER, "CO"), (Role.VIEWER, "PE"), (Role.TRAINER, "PE")],
)
def test_the_download_is_not_found_for_other_countries_donors_and_trainers(client, scene, role, country):
    post_report(client, scene, [pdf_upload()])
    evidence = Evidence.objects.get()
    client.force_login(make_user(role, country))
    assert client.get(reverse("followups:evidence_download", args=[evidence.pk])).status_code == 404
    assert client.get(f"/api/v1/followup-evidence/{evidence.pk}/download/").status_code == 404


def test_files_of_a_submitted_report_cannot_be_removed(client, scene):
    post_report(client, scene, [pdf_upload()], action="submit")
    evidence = Evidence.objects.get()
    response = client.post(reverse("followups:evidence_delete", args=[evidence.pk]), follow=True)
    assert "Files of a submitted report are part of its record and cannot be removed." in response.content.decode()
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_a_file_removed_from_a_draft_is_deleted_from_storage(client, scene, django_capture_on_commit_callbacks):
    post_report(client, scene, [pdf_upload()])
    evidence = Evidence.objects.get()
    path = Path(evidence.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("followups:evidence_delete", args=[evidence.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.exists() and not path.exists()


def test_evidence_can_be_added_to_a_draft_over_the_api_and_is_checked_the_same_way(client, scene):
    post_report(client, scene, [])
    draft = StatusUpdate.objects.get()
    url = f"/api/v1/status-updates/{draft.pk}/evidence/"
    good = client.post(url, {"file": pdf_upload("acta.pdf")})
    bad = client.post(url, {"file": SimpleUploadedFile("acta.pdf", b"#!/bin/sh\nrm -rf /")})
    assert good.status_code == 201
    assert good.json()["name"] == "acta.pdf"
    assert good.json()["download_url"] == f"/api/v1/followup-evidence/{good.json()['id']}/download/"
    assert bad.status_code == 400
    assert "its content was checked" in bad.json()["file"][0]
    assert Evidence.objects.count() == 1
