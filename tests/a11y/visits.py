"""The browser pass: every page the crawl found, opened once per role and language in Chromium on the
production-like server, with every per-page check made on that one visit and its findings kept.
The tests assert on what was kept, so a new per-page check costs no page loads of its own.

On each visit: the HTTP status and the address the page ended on (a signed-in page that sent the
browser to the sign-in form would otherwise be checked as that form), the <html lang> and the
language switcher, axe-core and, in English, the bytes a first visit transfers.
"""

import time
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import unquote
from urllib.parse import urlsplit

from axe_playwright_python.base import AXE_SCRIPT

LANGUAGES = ["en", "es", "pt", "fr"]
# Every axe rule runs in English. The pages' structure, colours and scripts are the same in every
# language, so in Spanish, Portuguese and French the rules that depend on the words run (names,
# labels, titles, languages): the same guarantee at a fraction of the time.
FULL_CHECK = {"en"}
TEXT_RULES = [
    "html-has-lang", "html-lang-valid", "html-xml-lang-mismatch", "valid-lang", "document-title", "label",
    "label-title-only", "button-name", "link-name", "select-name", "input-button-name", "image-alt",
    "svg-img-alt", "role-img-alt", "aria-input-field-name", "aria-toggle-field-name", "aria-command-name",
    "aria-progressbar-name", "aria-tooltip-name", "aria-dialog-name", "empty-heading", "empty-table-header",
    "frame-title", "summary-name", "object-alt", "input-image-alt", "area-alt",
]
BLOCKING = ["serious", "critical"]
# Page weight is measured on the English visit: the assets are the same in every language.
WEIGHED = "en"

# The checks of one page, started in its tab without waiting (the promise is kept on the window and
# collected later): the language, the switcher and axe-core, injected into every document by the
# context, so its half-megabyte script is not sent again for each page. Only the blocking violations
# come back, each with its first few elements.
START_CHECK = """({options, blocking}) => {
    window.__pageChecks = axe.run(document, options).then((results) => ({
        lang: document.documentElement.getAttribute("lang"),
        switchers: document.querySelectorAll("#language-switcher").length,
        violations: results.violations.filter((v) => blocking.includes(v.impact)).map((v) => ({
            id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
            targets: v.nodes.slice(0, 3).map((node) => [].concat(node.target).join(", ")),
        })),
    }));
}"""
CHECK_RESULTS = "() => window.__pageChecks"
# Two tabs: while axe-core works through a page in one, the next page loads in the other.
TABS = 2


@dataclass
class Visit:
    route: str
    address: str
    status: int
    landed: str  # the path (and query) the browser ended on, decoded
    lang: str | None = None
    switchers: int = 0
    violations: list[dict] = field(default_factory=list)
    weight: int | None = None  # bytes transferred (headers and encoded bodies), on the English visit
    resources: list[dict] = field(default_factory=list)  # url, bytes, headers of each, likewise

    @property
    def redirected(self) -> bool:
        return self.landed != unquote(self.address)

    def where(self) -> str:
        return f"{self.address} [{self.route}]"

    def problems(self, language: str) -> list[str]:
        """What the accessibility test reports for this page: each line names the page."""
        if self.status != 200:
            return [f"{self.where()}: HTTP {self.status}"]
        if self.redirected:
            return [f"{self.where()}: ended on {self.landed}"]
        found = []
        if self.lang != language:
            found.append(f"{self.where()}: <html lang> is {self.lang!r}")
        if self.switchers != 1:
            found.append(f"{self.where()}: no language switcher")
        found += [
            f"{self.where()}: {v['id']} ({v['impact']}, {v['count']}×): {v['help']} — {'; '.join(v['targets'])}"
            for v in self.violations
        ]
        return found


def _path(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path + (f"?{parts.query}" if parts.query else ""))


class _Tab:
    """One browser tab and the requests of the page it shows: those in flight, and those finished with
    their response headers (read as they arrive, which costs no round trip to the browser)."""

    def __init__(self, context, *, weigh: bool, cookies: list[dict]):
        self.context, self.cookies = context, cookies
        self.page = context.new_page()
        self.weigh = weigh
        if weigh:
            # A first visit: with the cache off every page transfers everything it loads, as it would
            # for a newcomer, while the tab (and its signed-in session) serves page after page.
            devtools = context.new_cdp_session(self.page)
            devtools.send("Network.enable")
            devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.in_flight = set()
        self.finished = []
        self.headers = {}
        # Methods, not builtins such as set.add: Playwright inspects a handler's signature.
        self.page.on("request", self._started)
        self.page.on("requestfinished", self._finished)
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._answered)

    def _started(self, request):
        self.in_flight.add(request)

    def _finished(self, request):
        self.in_flight.discard(request)
        self.finished.append(request)

    def _failed(self, request):
        self.in_flight.discard(request)

    def _answered(self, response):
        self.headers[response.request] = response.headers

    def open(self, route: str, address: str) -> Visit:
        """Load the page; on a weighed visit, count what it transferred once the network is calm."""
        self.in_flight.clear()
        self.finished.clear()
        self.headers.clear()
        if self.weigh:
            # and with no cookie but the session's, so that the page sets any others as it would
            self.context.clear_cookies()
            self.context.add_cookies(self.cookies)
        response = self.page.goto(address, wait_until="load")
        visit = Visit(route, address, response.status if response else 0, _path(self.page.url))
        if self.weigh and visit.status == 200 and not visit.redirected:
            self._settle()
            visit.resources = self._resources()
            visit.weight = sum(resource["bytes"] for resource in visit.resources)
        return visit

    def start_checks(self, options: dict) -> None:
        self.page.evaluate(START_CHECK, {"options": options, "blocking": BLOCKING})

    def finish_checks(self, visit: Visit) -> None:
        found = self.page.evaluate(CHECK_RESULTS)
        visit.lang, visit.switchers, visit.violations = found["lang"], found["switchers"], found["violations"]

    def _settle(self, quiet: float = 0.1, limit: float = 10) -> None:
        """Wait until no request has been in flight for `quiet` seconds, as Playwright's "networkidle"
        does with half a second: the portal's scripts request nothing on load (the report pages poll
        from 1.5 s on), so a shorter calm says the same."""
        deadline = time.monotonic() + limit
        calm_since = None
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(20)
            if self.in_flight:
                calm_since = None
            elif calm_since is None:
                calm_since = time.monotonic()
            elif time.monotonic() - calm_since >= quiet:
                return

    def _resources(self) -> list[dict]:
        found = []
        for request in self.finished:
            sizes = request.sizes()
            found.append(
                {
                    "url": request.url,
                    "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                    "headers": self.headers.get(request, {}),
                }
            )
        return found


def visit_pages(browser, url: str, pages: dict[str, str], *, language: str, cookie: dict | None) -> dict[str, Visit]:
    """Open each page (route → address) once, as one user in one language, and check it."""
    context = browser.new_context(base_url=url, locale=language, bypass_csp=True)
    context.add_init_script(AXE_SCRIPT)
    cookies = [{**cookie, "url": url}] if cookie else []
    context.add_cookies(cookies)
    options = {"resultTypes": ["violations"]}
    if language not in FULL_CHECK:
        options["runOnly"] = {"type": "rule", "values": TEXT_RULES}
    visits = {}
    try:
        free = deque(_Tab(context, weigh=language == WEIGHED, cookies=cookies) for _ in range(TABS))
        checking = deque()  # (tab, visit) whose checks are running, oldest first
        for route, address in sorted(pages.items()):
            if not free:
                tab, visit = checking.popleft()
                tab.finish_checks(visit)
                free.append(tab)
            tab = free.popleft()
            visit = visits[route] = tab.open(route, address)
            if visit.status == 200 and not visit.redirected:
                tab.start_checks(options)
                checking.append((tab, visit))
            else:
                free.append(tab)
        for tab, visit in checking:
            tab.finish_checks(visit)
    finally:
        context.close()
    return visits
