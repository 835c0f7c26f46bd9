"""``make bench``: the portal served as in production, measured at two data sizes in one run.

1. Two PostgreSQL databases of generated data, ``<prefix>_small`` (factor 0.01) and
   ``<prefix>_large`` (factor 1), made once with ``generate_scale_data`` and reused (migrated
   again on every run; ``--rebuild`` makes them anew).
2. Static files collected into a temporary directory; gunicorn serves ``ta_portal.wsgi`` with
   DEBUG off, a SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, no HTTPS redirect, the bench's own Redis
   database, on a loopback port. ``bench.settings`` adds only the baseline and naive views.
3. For each size: sign in once (the session cookie serves every page), take an API token, then
   per page or endpoint: a closed-loop run (wrk) for requests/s and a fixed-rate run (latency from
   each request's scheduled time, so no coordinated omission) for p50 and p95, at the same rate
   at both sizes.
4. In-process measurements (``bench/offline.py``): SQL queries per page at both sizes, the PDF
   report against WeasyPrint's floor, a 2 000-row exam import and one reminder run.
5. A table on stdout (ratios to the baseline and between the sizes, the targets) and the same
   in ``bench/results.json``.

``--only api_engagements,naive`` measures only these rows (the baseline always, since every ratio
is to it) and skips the in-process measurements but the query counts, writing
``bench/results-partial.json``: a quick before / after of one endpoint.

Environment: ``BENCH_POSTGRES`` (server URL without database, default
postgres://postgres@127.0.0.1:5432), ``BENCH_DB_PREFIX`` (ta_bench), ``BENCH_REDIS_URL``
(redis://127.0.0.1:6379/13, flushed: use a database of its own), ``BENCH_PORT`` (8010),
``BENCH_WORKERS`` (3, as in docker-compose.yml).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC
from datetime import datetime
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen  # noqa: E402

PYTHON = sys.executable
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8010"))
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PREFIX = os.environ.get("BENCH_DB_PREFIX", "ta_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
SIZES = {"small": 0.01, "large": 1.0}
USER, PASSWORD = "scale_manager", "scale-data-password"
PROGRAMME = "precursor-control-10y"
RESULTS = ROOT / "bench" / "results.json"
PARTIAL_RESULTS = ROOT / "bench" / "results-partial.json"  # an --only run leaves the full results alone

# What is measured, in order: (key, label, kind) with kind "page" (session cookie) or "api" (token).
ENDPOINTS = [
    ("baseline", "Baseline: trivial JSON view", "plain"),
    ("naive", "Naive DRF ListAPIView, 100 engagements", "api"),
    ("api_engagements", "API engagements/?page_size=100", "api"),
    ("engagement_list", "Engagement list page (100 rows)", "page"),
    ("country_dashboard", "Country dashboard", "page"),
    ("programme_dashboard", "Programme dashboard", "page"),
    ("api_outcome_countries", "API outcomes/countries/", "api"),
    ("api_outcome_engagement", "API outcomes/engagements/{id}/", "api"),
    ("session_results", "Training session results page", "page"),
]
PAGES = [key for key, _label, kind in ENDPOINTS if kind == "page"]
APIS = [key for key, _label, kind in ENDPOINTS if kind == "api" and key != "naive"]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def database_url(size: str) -> str:
    return f"{POSTGRES}/{PREFIX}_{size}"


def portal_env(size: str, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url(size),
        "REDIS_URL": REDIS_URL,
        # Two-factor sign-in is asked once per session; the bench signs in with a password.
        "OTP_REQUIRED_ROLES": "",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def manage(size: str, *args, env_extra=None, capture=False) -> str:
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    result = subprocess.run(  # noqa: S603
        command,
        cwd=ROOT,
        env=portal_env(size, **(env_extra or {})),
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else ""


# ---- databases ------------------------------------------------------------------------------------


def _sql(database: str, statement: str, params=None, *, autocommit=False):
    parsed = urllib.parse.urlparse(POSTGRES)
    connection = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password or None,
        dbname=database,
    )
    connection.autocommit = autocommit
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall() if cursor.description else None
        if not autocommit:
            connection.commit()
        return rows
    finally:
        connection.close()


def _exists(database: str) -> bool:
    return bool(_sql("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", [database]))


def _generated(database: str) -> bool:
    rows = _sql(database, "SELECT to_regclass('engagements_programme') IS NOT NULL")
    if not rows[0][0]:
        return False
    return bool(_sql(database, "SELECT 1 FROM engagements_programme WHERE code = %s", [PROGRAMME]))


def prepare_databases(rebuild: bool) -> dict:
    timings = {}
    for size, factor in SIZES.items():
        name = f"{PREFIX}_{size}"
        if rebuild and _exists(name):
            _sql("postgres", f'DROP DATABASE "{name}"', autocommit=True)
        started = time.monotonic()
        if not _exists(name):
            log(f"creating database {name}")
            _sql("postgres", f'CREATE DATABASE "{name}"', autocommit=True)
        manage(size, "migrate", "--noinput", "-v0")
        if not _generated(name):
            log(f"generating factor {factor:g} into {name} (once; later runs reuse it)")
            started_generation = time.monotonic()
            manage(size, "generate_scale_data", "--factor", str(factor), "--password", PASSWORD)
            timings[f"generate_{size}_seconds"] = round(time.monotonic() - started_generation, 1)
        timings[f"prepare_{size}_seconds"] = round(time.monotonic() - started, 1)
    return timings


def pick_targets(size: str) -> dict:
    """The objects each page shows: the busiest country and engagement, a session of median size."""
    database = f"{PREFIX}_{size}"
    country = _sql(
        database,
        "SELECT p.country_id FROM trainings_enrolment e JOIN engagements_person p ON p.id = e.person_id "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )[0][0]
    engagement = _sql(
        database,
        "SELECT m.engagement_id FROM followups_statusupdate u JOIN followups_measure m ON m.id = u.measure_id "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
    )[0][0]
    session = _sql(
        database,
        "WITH sizes AS (SELECT session_id, count(*) AS n FROM trainings_enrolment GROUP BY 1), "
        "median AS (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) AS m FROM sizes) "
        "SELECT session_id FROM sizes, median ORDER BY abs(n - m), session_id LIMIT 1",
    )[0][0]
    counts = _sql(
        database,
        "SELECT (SELECT count(*) FROM engagements_engagement), (SELECT count(*) FROM trainings_trainingsession), "
        "(SELECT count(*) FROM trainings_enrolment), (SELECT count(*) FROM followups_measure), "
        "(SELECT count(*) FROM followups_statusupdate), (SELECT count(*) FROM audit_auditentry)",
    )[0]
    return {
        "country": country,
        "engagement": engagement,
        "session": session,
        "rows": dict(
            zip(
                ["engagements", "sessions", "exam_results", "measures", "status_updates", "audit_entries"],
                counts,
                strict=True,
            )
        ),
    }


def urls_for(targets: dict) -> dict:
    return {
        "baseline": "/bench/baseline/",
        "naive": "/bench/naive-engagements/?page_size=100",
        "api_engagements": "/api/v1/engagements/?page_size=100",
        "engagement_list": "/engagements/?page_size=100",
        "country_dashboard": f"/outcomes/countries/{targets['country']}/",
        "programme_dashboard": f"/outcomes/programmes/{PROGRAMME}/",
        "api_outcome_countries": "/api/v1/outcomes/countries/",
        "api_outcome_engagement": f"/api/v1/outcomes/engagements/{targets['engagement']}/",
        "session_results": f"/trainings/sessions/{targets['session']}/results/",
    }


# ---- serving ---------------------------------------------------------------------------------------


def collectstatic(directory: str) -> None:
    manage("small", "collectstatic", "--noinput", "-v0", env_extra={"BENCH_STATIC_ROOT": directory})


def flush_redis() -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()


class Server:
    def __init__(self, size: str, static_root: str):
        self.size = size
        self.static_root = static_root
        self.process = None

    def __enter__(self):
        if _port_open():
            raise SystemExit(f"Port {PORT} is taken: stop what listens there or set BENCH_PORT.")
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        command = [
            gunicorn,
            "ta_portal.wsgi",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(WORKERS),
            "--no-control-socket",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ]
        env = portal_env(self.size, BENCH_STATIC_ROOT=self.static_root)
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _body, _headers = loadgen.get(HOST, PORT, "/healthz/", {}, timeout=5)
                if status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit("gunicorn exited while starting; see its output above.")
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer /healthz/ within 60 s.")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _port_open() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((HOST, PORT)) == 0


def _request(method: str, path: str, *, body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response.msg.get_all("Set-Cookie") or []
    finally:
        connection.close()


def _cookie(set_cookies: list[str], name: str) -> str | None:
    for header in set_cookies:
        match = re.match(rf"\s*{name}=([^;]*)", header)
        if match:
            return match.group(1)
    return None


def sign_in() -> dict:
    """A session cookie for the pages (signed in once) and a token for the API."""
    status, body, cookies = _request("GET", "/accounts/login/")
    csrf = _cookie(cookies, "csrftoken")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token})
    status, _body, cookies = _request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    session = _cookie(cookies, "sessionid")
    if status != 302 or not session:
        raise SystemExit(f"Signing in as {USER} failed (HTTP {status}).")
    status, body, _cookies = _request(
        "POST",
        "/api/v1/auth/token/",
        body=json.dumps({"username": USER, "password": PASSWORD, "name": "bench"}),
        headers={"Content-Type": "application/json"},
    )
    if status != 200:
        raise SystemExit(f"Getting an API token failed (HTTP {status}): {body[:200]!r}")
    return {
        "page": {"Cookie": f"sessionid={session}; csrftoken={csrf}"},
        "api": {"Authorization": f"Token {json.loads(body)['token']}", "Accept": "application/json"},
        "plain": {},
    }


def measure_size(size: str, static_root: str, settings: dict, rates: dict, keys: list[str]) -> dict:
    targets = pick_targets(size)
    urls = urls_for(targets)
    found = {"targets": targets, "urls": urls, "endpoints": {}}
    flush_redis()
    with Server(size, static_root):
        headers = sign_in()
        for key, _label, kind in ENDPOINTS:
            if key not in keys:
                continue
            url = urls[key]
            # The first request after start (cold: nothing cached, no connection open yet).
            started = time.perf_counter()
            status, body, _h = loadgen.get(HOST, PORT, url, headers[kind])
            first_ms = (time.perf_counter() - started) * 1000
            if status != 200:
                raise SystemExit(f"{url} answered HTTP {status} at size {size}: {body[:300]!r}")
            for _ in range(settings["warmup"]):
                loadgen.get(HOST, PORT, url, headers[kind])
            closed = loadgen.saturate(HOST, PORT, url, headers[kind], seconds=settings["closed_seconds"])
            rate = rates.get(key)
            if rate is None:  # the rate is fixed at the small size: about 40 % of what it sustains
                rate = rates[key] = max(2.0, min(settings["max_rate"], round(0.4 * closed.rps, 1)))
            opened = loadgen.fixed_rate(HOST, PORT, url, headers[kind], rate=rate, seconds=settings["rate_seconds"])
            found["endpoints"][key] = {
                "url": url,
                "bytes": len(body),
                "first_ms": round(first_ms, 1),
                "closed": closed.as_dict(),
                "fixed": opened.as_dict(),
            }
            log(
                f"{size:5} {key:24} {closed.rps:8.1f} req/s   p50 {opened.p50_ms:7.1f} ms   p95 {opened.p95_ms:7.1f} ms"
                f"   (at {rate:g}/s; first {first_ms:.0f} ms; errors {closed.errors + opened.errors})"
            )
    return found


# ---- in-process measurements ------------------------------------------------------------------------


def offline(size: str, static_root: str, what: str, arguments: dict | None = None) -> dict:
    command = [PYTHON, "-m", "bench.offline", what, json.dumps(arguments or {})]
    with tempfile.TemporaryDirectory() as media:
        env = portal_env(size, MEDIA_ROOT=media, BENCH_STATIC_ROOT=static_root)
        result = subprocess.run(command, cwd=ROOT, env=env, text=True, capture_output=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"bench/offline.py {what} failed:\n{result.stderr[-3000:]}")
    line = next(line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


# ---- report -----------------------------------------------------------------------------------------


def ratio(a, b):
    return None if not a or not b else a / b


def summarise(results: dict) -> dict:
    sizes = results["sizes"]
    small, large = sizes["small"]["endpoints"], sizes["large"]["endpoints"]
    queries = results["queries"]
    rows = []
    for key, label, kind in ENDPOINTS:
        if key not in large:
            continue
        s, lg = small[key], large[key]
        row = {
            "key": key,
            "label": label,
            "kind": kind,
            "rps_small": s["closed"]["rps"],
            "rps_large": lg["closed"]["rps"],
            "p50_small": s["fixed"]["p50_ms"],
            "p95_small": s["fixed"]["p95_ms"],
            "p50_large": lg["fixed"]["p50_ms"],
            "p95_large": lg["fixed"]["p95_ms"],
            "rate": lg["fixed"]["rate"],
            "vs_baseline_large": ratio(lg["closed"]["rps"], large["baseline"]["closed"]["rps"]),
            "vs_baseline_small": ratio(s["closed"]["rps"], small["baseline"]["closed"]["rps"]),
            "p50_growth": ratio(lg["fixed"]["p50_ms"], s["fixed"]["p50_ms"]),
            "rps_growth": ratio(lg["closed"]["rps"], s["closed"]["rps"]),
            "first_ms_small": s["first_ms"],
            "first_ms_large": lg["first_ms"],
        }
        if key in queries["small"]:
            row["queries_small"] = queries["small"][key]["queries"]
            row["queries_large"] = queries["large"][key]["queries"]
            row["queries_first_large"] = queries["large"][key]["queries_first"]
        rows.append(row)
    checks = []

    def check(name, ok, detail):
        checks.append({"target": name, "met": bool(ok), "detail": detail})

    by_key = {row["key"]: row for row in rows}
    for key in [key for key in PAGES + APIS if key in by_key]:
        row = by_key[key]
        check(
            f"{key}: p50 at factor 1 <= 1.5 x factor 0.01",
            row["p50_growth"] is not None and row["p50_growth"] <= 1.5,
            f"x{row['p50_growth']:.2f}",
        )
        limit = 12 if key in PAGES else 6
        same = row["queries_small"] == row["queries_large"]
        check(
            f"{key}: same queries at both sizes, <= {limit}",
            same and row["queries_large"] <= limit,
            f"{row['queries_small']} / {row['queries_large']}",
        )
    api = by_key.get("api_engagements")
    if api:
        check(
            "API list of 100: >= 25 % of baseline req/s",
            api["vs_baseline_large"] >= 0.25,
            f"{100 * api['vs_baseline_large']:.0f} %",
        )
    if api and "naive" in by_key:
        naive_ratio = ratio(api["rps_large"], by_key["naive"]["rps_large"])
        check("API list of 100: >= 2 x naive reference", naive_ratio >= 2, f"x{naive_ratio:.2f}")
    pdf = results.get("pdf")
    if pdf:
        floor = pdf["plain"]["best"]
        report = pdf["assessment"]["20"]["best"]
        check("PDF 20 pages <= 1.5 x plain 20-page document", report <= 1.5 * floor, f"x{report / floor:.2f}")
        points = sorted((v["pages"] or v["target_pages"], v["best"]) for v in pdf["assessment"].values())
        (p1, t1), (p2, t2), (p3, t3) = points
        first, second = (t2 - t1) / (p2 - p1), (t3 - t2) / (p3 - p2)
        check(
            "PDF render time linear in pages (the cost of a page does not grow)",
            second <= 1.5 * first,
            f"{1000 * first:.0f} ms/page from {p1} to {p2} pages, {1000 * second:.0f} ms/page from {p2} to {p3}",
        )
    reminders = results.get("reminders")
    if reminders:
        few, many = reminders["100"], reminders["10000"]
        check(
            "reminder run: queries independent of rounds",
            few["queries"] == many["queries"],
            f"{few['queries']} / {many['queries']}",
        )
        check("reminder run over 10 000 rounds < 60 s", many["seconds"] < 60, f"{many['seconds']:.1f} s")
    history = results.get("history")
    if history:
        first = history["first"]
        check(
            "history workbook of 10 000 rows: imported without errors in < 60 s",
            first["status"] == "done" and not first["errors"] and first["seconds"] < 60,
            f"{first['seconds']:.1f} s, {first['errors']} errors",
        )
    return {"rows": rows, "checks": checks}


def _f(value, pattern="{:.1f}", none="–"):
    return none if value is None else pattern.format(value)


def table(summary: dict) -> str:
    lines = [
        "| measurement | req/s 0.01 | req/s 1 | vs baseline (1) | p50 ms 0.01 | p50 ms 1 | p95 ms 1 "
        "| p50 1 / 0.01 | queries 0.01 / 1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary["rows"]:
        queries = f"{row['queries_small']} / {row['queries_large']}" if "queries_small" in row else "–"
        lines.append(
            f"| {row['label']} | {_f(row['rps_small'], '{:.0f}')} | {_f(row['rps_large'], '{:.0f}')} "
            f"| {_f(row['vs_baseline_large'] and 100 * row['vs_baseline_large'], '{:.0f} %')} "
            f"| {_f(row['p50_small'])} | {_f(row['p50_large'])} | {_f(row['p95_large'])} "
            f"| {_f(row['p50_growth'], 'x{:.2f}')} | {queries} |"
        )
    return "\n".join(lines)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_at_start": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="drop and generate the bench databases anew")
    parser.add_argument("--quick", action="store_true", help="short runs, to try the harness (noisier numbers)")
    parser.add_argument("--skip-offline", action="store_true", help="only the served pages")
    parser.add_argument(
        "--only",
        metavar="KEY,KEY",
        type=_keys,
        help="only these rows (and the baseline): " + ", ".join(key for key, _label, _kind in ENDPOINTS),
    )
    args = parser.parse_args()
    keys = ["baseline", *(key for key, _label, _kind in ENDPOINTS if key in args.only)] if args.only else None
    keys = keys or [key for key, _label, _kind in ENDPOINTS]
    settings = (
        {"warmup": 3, "closed_seconds": 2, "rate_seconds": 2, "max_rate": 100}
        if args.quick
        else {"warmup": 10, "closed_seconds": 6, "rate_seconds": 6, "max_rate": 150}
    )
    began = time.monotonic()
    results = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {**settings, "workers": WORKERS, "load_generator": "wrk" if loadgen.have_wrk() else "python"},
        "only": keys if args.only else None,
    }
    if not loadgen.have_wrk():
        _install_wrk()
        results["settings"]["load_generator"] = "wrk" if loadgen.have_wrk() else "python (wrk not installed)"
    results["timings"] = prepare_databases(args.rebuild)
    with tempfile.TemporaryDirectory(prefix="ta-bench-static-") as static_root:
        log("collecting static files")
        started = time.monotonic()
        collectstatic(static_root)
        results["timings"]["collectstatic_seconds"] = round(time.monotonic() - started, 1)
        rates: dict = {}
        results["sizes"] = {}
        for size, factor in SIZES.items():
            log(f"serving factor {factor:g} ({PREFIX}_{size})")
            results["sizes"][size] = measure_size(size, static_root, settings, rates, keys)
        log("counting queries per page")
        wanted = [key for key in PAGES + APIS if key in keys]
        results["queries"] = {
            size: offline(
                size,
                static_root,
                "queries",
                {"urls": {k: v for k, v in results["sizes"][size]["urls"].items() if k in wanted}},
            )
            for size in SIZES
        }
        if not args.skip_offline and not args.only:
            log("PDF report against the plain document")
            results["pdf"] = offline("large", static_root, "pdf", {"repeat": 1 if args.quick else 2})
            log("importing 2 000 exam rows")
            results["import"] = offline("large", static_root, "import")
            log("a history workbook of 10 000 rows")
            results["history"] = offline("large", static_root, "history")
            log("reminder runs over 100 and 10 000 due rounds")
            results["reminders"] = offline("large", static_root, "reminders")
            flush_redis()  # the e-mails the reminder run queued for workers that are not running
    results["summary"] = summary = summarise(results)
    results["seconds"] = round(time.monotonic() - began, 1)
    written = PARTIAL_RESULTS if args.only else RESULTS
    written.write_text(json.dumps(results, indent=2, default=str))
    print()
    print(table(summary))
    print()
    for item in _extra_lines(results):
        print(item)
    print()
    for item in summary["checks"]:
        print(f"{'met ' if item['met'] else 'MISS'}  {item['target']}: {item['detail']}")
    print(
        f"\n{results['machine']['cpu']}, {results['machine']['cores']} cores; "
        f"load at start {results['machine']['load_at_start']}; {results['seconds']:.0f} s; written to {written}"
    )


def _keys(value: str) -> list[str]:
    known = [key for key, _label, _kind in ENDPOINTS]
    keys = [key.strip() for key in value.split(",") if key.strip()]
    unknown = [key for key in keys if key not in known]
    if unknown or not keys:
        raise argparse.ArgumentTypeError(f"unknown rows {unknown}; the rows are {', '.join(known)}")
    return keys


def _extra_lines(results: dict) -> list[str]:
    lines = []
    pdf = results.get("pdf")
    if pdf:
        plain = pdf["plain"]
        lines.append(
            f"PDF: plain {plain['pages']} pages {plain['best']:.2f} s; assessment report "
            + ", ".join(f"{v['pages']} pages {v['best']:.2f} s" for v in pdf["assessment"].values())
        )
    imported = results.get("import")
    if imported:
        lines.append(
            f"Import of {imported['rows']} exam rows: {imported['first']['seconds']:.2f} s "
            f"({imported['first']['queries']} queries), again {imported['again']['seconds']:.2f} s "
            f"({imported['again']['queries']} queries)"
        )
    history = results.get("history")
    if history:
        lines.append(
            f"History workbook of {history['rows']} rows: dry run {history['dry_run']['seconds']:.2f} s, "
            f"import {history['first']['seconds']:.2f} s ({history['first']['queries']} queries), "
            f"again {history['again']['seconds']:.2f} s ({history['again']['queries']} queries)"
        )
    reminders = results.get("reminders")
    if reminders:
        lines.append(
            "Reminder run: "
            + "; ".join(
                f"{v['rounds_run']} due rounds {v['seconds']:.2f} s, {v['queries']} queries, "
                f"{v['claimed']} e-mails claimed"
                for key, v in reminders.items()
                if not key.startswith("_")
            )
        )
    for size in ("small", "large"):
        rows = results["sizes"][size]["targets"]["rows"]
        lines.append(f"Data at {size}: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    return lines


def _install_wrk() -> None:
    if shutil.which("apt-get") and os.geteuid() == 0:
        log("installing wrk (apt-get)")
        subprocess.run(  # noqa: S603
            [shutil.which("apt-get"), "install", "-y", "-qq", "wrk"],
            check=False,
            capture_output=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    if not loadgen.have_wrk():
        log("wrk is not installed: throughput comes from a Python client (lower ceiling on the baseline)")


if __name__ == "__main__":
    main()
