"""Stored files (evidence, library documents, reported values' evidence, rendered reports) go back to
their readers through one function, so every download, page or API, carries the same protections."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import Http404

from ta_portal.uploads import stored_file_response

APPS_ROOT = Path(settings.BASE_DIR)


def _stored(tmp_path, name: str, content: bytes | None) -> FieldFile:
    storage = FileSystemStorage(location=tmp_path)
    if content is not None:
        (tmp_path / name).write_bytes(content)
    field = FileField(storage=storage)
    field.name = "file"
    return FieldFile(None, field, name)


def _body(response) -> bytes:
    body = b"".join(response.streaming_content)
    # The file only: response.close() also signals the end of a request, which would check the
    # database connection these tests do not have.
    response.file_to_stream.close()
    return body


def test_a_stored_file_is_a_private_sandboxed_attachment(tmp_path):
    response = stored_file_response(
        _stored(tmp_path, "a1b2.svg", b"<svg onload='alert(1)'/>"), filename="map.svg", content_type="image/svg+xml"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="map.svg"' in response["Content-Disposition"]
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert _body(response) == b"<svg onload='alert(1)'/>"


def test_shown_inline_it_stays_sandboxed_and_an_unknown_type_is_a_plain_download(tmp_path):
    response = stored_file_response(_stored(tmp_path, "c3d4", b"%PDF-1.7"), filename="evidence", inline=True)
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    _body(response)


def test_a_file_missing_from_storage_is_not_found(tmp_path):
    with pytest.raises(Http404):
        stored_file_response(_stored(tmp_path, "gone.pdf", None), filename="gone.pdf")


def _file_responses_built(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "FileResponse"
    ]


def test_no_other_module_builds_a_file_response():
    """A download written out again would miss a header the others carry (it happened: the library's
    and the API's lacked the sandbox)."""
    ignored = {".venv", "tests", "node_modules", "staticfiles", "media", ".git"}
    sources = [path for path in APPS_ROOT.rglob("*.py") if not ignored.intersection(path.relative_to(APPS_ROOT).parts)]
    built = {str(path.relative_to(APPS_ROOT)): lines for path in sources if (lines := _file_responses_built(path))}
    assert set(built) == {"ta_portal/uploads.py"}, built
