"""A PDF may load the portal's static files and data: URIs, nothing else: no file of the server
outside them, no address on the network (reports/pdf_resources.py)."""

import base64
import subprocess
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest

from reports.services import html_to_pdf


def svg_saying(word: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40">'
        f'<text x="5" y="25" font-size="20">{word}</text></svg>'
    ).encode()


def pdf_text(pdf: bytes, pdftotext, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run([pdftotext, str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def web_server():
    """A server on loopback that counts the requests it gets."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = svg_saying("NETWORKWORD")
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_a_pdf_loads_static_files_and_data_uris_but_no_other_file(tmp_path, settings, pdftotext):
    # given: one image in a static folder, one elsewhere on the server, one inline
    static_dir, private_dir = tmp_path / "static", tmp_path / "private"
    static_dir.mkdir()
    private_dir.mkdir()
    (static_dir / "logo.svg").write_bytes(svg_saying("STATICWORD"))
    (private_dir / "secret.svg").write_bytes(svg_saying("SECRETWORD"))
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, str(static_dir)]
    inline = base64.b64encode(svg_saying("INLINEWORD")).decode()
    html = (
        "<p>Body text</p>"
        f'<img src="file://{static_dir}/logo.svg">'
        f'<img src="file://{private_dir}/secret.svg">'
        f'<img src="file://{static_dir}/../private/secret.svg">'
        f'<img src="data:image/svg+xml;base64,{inline}">'
    )
    # when
    text = pdf_text(html_to_pdf(html), pdftotext, tmp_path)
    # then: the static and inline images are drawn; the private file is not read, even by "../"
    assert "Body text" in text
    assert "STATICWORD" in text and "INLINEWORD" in text
    assert "SECRETWORD" not in text


def test_a_pdf_reaches_no_address_on_the_network(web_server, tmp_path, pdftotext):
    url, hits = web_server
    html = f'<p>Body text</p><img src="{url}/image.svg"><style>p {{ background: url("{url}/bg.svg") }}</style>'
    text = pdf_text(html_to_pdf(html), pdftotext, tmp_path)
    assert "Body text" in text
    assert hits == [] and "NETWORKWORD" not in text
