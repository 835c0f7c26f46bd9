"""Load generators: wrk for throughput, a fixed-rate client for latency without coordinated omission.

- ``saturate`` (closed loop): as many requests as the server answers, from a few connections. Gives
  requests/s. Uses wrk when installed (a C client costs the server little CPU on the same two
  cores); otherwise a threaded Python client, slower, which the results say.
- ``fixed_rate`` (open loop): requests are scheduled at a constant rate and each latency is
  measured from the moment its request *was scheduled*, so a slow response delays no later
  measurement (no coordinated omission): if the server falls behind, the waiting counts.
"""

from __future__ import annotations

import http.client
import json
import math
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Result:
    requests: int
    seconds: float
    rps: float
    p50_ms: float | None
    p95_ms: float | None
    errors: int = 0
    tool: str = ""
    rate: float | None = None  # the offered rate of a fixed-rate run
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, math.ceil(pct / 100 * len(ordered)) - 1)
    return ordered[rank]


def get(host: str, port: int, path: str, headers: dict, timeout: float = 60) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, body, dict(response.getheaders())
    finally:
        connection.close()


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def saturate(host: str, port: int, path: str, headers: dict, *, seconds: float, connections: int = 4) -> Result:
    if have_wrk():
        return _wrk(host, port, path, headers, seconds=seconds, connections=connections)
    return _closed_loop(host, port, path, headers, seconds=seconds, connections=connections)


def _wrk(host, port, path, headers, *, seconds, connections) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            script.name,
        ]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://{host}:{port}{path}")
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout  # noqa: S603
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    duration = data["duration_us"] / 1e6
    return Result(
        requests=data["requests"],
        seconds=duration,
        rps=data["requests"] / duration if duration else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        errors=data["errors"] + data["non2xx"],
        tool=f"wrk -c{connections}",
    )


def _closed_loop(host, port, path, headers, *, seconds, connections) -> Result:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _body, _headers = get(host, port, path, headers)
                ok = status == 200
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors[0] += 1

    began = time.perf_counter()
    _run_threads(worker, connections)
    duration = time.perf_counter() - began
    return _timed_result(latencies, duration, errors=errors[0], tool=f"python closed loop x{connections}")


def fixed_rate(
    host: str, port: int, path: str, headers: dict, *, rate: float, seconds: float, threads: int = 24
) -> Result:
    """Send ``rate`` requests per second for ``seconds``; latency counted from each scheduled send time."""
    count = max(1, int(rate * seconds))
    begin = time.perf_counter() + 0.05
    schedule = [begin + i / rate for i in range(count)]
    latencies: list[float | None] = [None] * count
    failures = [0]
    next_index = [0]
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= count:
                return
            due = schedule[index]
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                status, _body, _headers = get(host, port, path, headers)
                ok = status == 200
            except OSError:
                ok = False
            latencies[index] = time.perf_counter() - due
            if not ok:
                with lock:
                    failures[0] += 1

    _run_threads(worker, threads)
    finished = [value for value in latencies if value is not None]
    duration = max(time.perf_counter() - begin, seconds)
    return _timed_result(finished, duration, errors=failures[0], tool="fixed rate", rate=rate)


def _run_threads(worker, count: int) -> None:
    """Run ``worker`` in ``count`` threads at once and wait for all of them."""
    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _timed_result(latencies: list[float], seconds: float, **details) -> Result:
    """The result of a Python client run: requests counted from their latencies (in seconds)."""
    return Result(
        requests=len(latencies),
        seconds=seconds,
        rps=len(latencies) / seconds,
        p50_ms=_ms(percentile(latencies, 50)),
        p95_ms=_ms(percentile(latencies, 95)),
        **details,
    )


def _ms(value: float | None) -> float | None:
    return None if value is None else value * 1000
