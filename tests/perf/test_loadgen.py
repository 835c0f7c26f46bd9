"""The benchmark's Python load generators count requests, errors and latencies of a real local server."""

import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest

from bench import loadgen


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        status = 200 if self.path == "/ok/" else 500
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address
    httpd.shutdown()
    httpd.server_close()


def test_the_closed_loop_counts_every_answered_request(server):
    host, port = server
    result = loadgen._closed_loop(host, port, "/ok/", {}, seconds=0.3, connections=2)

    assert result.requests > 0
    assert result.errors == 0
    assert result.rps == pytest.approx(result.requests / result.seconds)
    assert result.p50_ms <= result.p95_ms
    assert result.tool == "python closed loop x2"


def test_the_fixed_rate_run_sends_the_scheduled_requests_and_counts_failures(server):
    host, port = server
    result = loadgen.fixed_rate(host, port, "/fails/", {}, rate=40, seconds=0.25, threads=4)

    assert result.requests == 10
    assert result.errors == 10
    assert result.rate == 40
    assert result.seconds >= 0.25
    assert result.tool == "fixed rate"
