"""Find every page of the portal a user can reach, by following links from the start pages.

The crawl runs in-process with Django's test client (fast, no browser) and keeps one address per
URL pattern: the browser tests then visit those addresses. Which URL patterns exist comes from the
URL configuration, so a new page is crawled as soon as something links to it, and
`routes_not_reached` tells when nothing does.
"""

from collections import deque
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urldefrag
from urllib.parse import urlsplit

from django.test import Client
from django.urls import Resolver404
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import resolve

# Not pages of the portal: the Django admin, the API (JSON, Swagger UI), static and uploaded files,
# the language switch (POST only).
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/private-media/", "/i18n/", "/healthz/")
START_PAGES = ["/", "/accounts/login/", "/accounts/password/reset/", "/verify/"]


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)  # route name → an HTML page's address
    html: dict[str, str] = field(default_factory=dict)  # route name → that page's HTML
    other: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # route → (address, status, type)

    @property
    def routes(self) -> set[str]:
        return set(self.pages) | set(self.other)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        elif tag == "form" and (attributes.get("method") or "get").lower() == "get" and attributes.get("action"):
            self.hrefs.append(attributes["action"])


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _local_path(href: str, current: str) -> str | None:
    href, _fragment = urldefrag(href)
    if not href or href.startswith(("mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        if parts.netloc not in ("testserver", ""):
            return None
    path = parts.path or urlsplit(current).path
    if not path.startswith("/"):
        base = urlsplit(current).path.rsplit("/", 1)[0]
        path = f"{base}/{path}"
    if path.startswith(SKIPPED_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client, *, extra: tuple[str, ...] = (), limit: int = 800, tries_per_route: int = 3) -> Crawl:
    """Breadth-first from the start pages, one address per route (the first that answers 200).

    A route whose first address answers otherwise (403, 404, a redirect) is tried with a few more;
    the links of a few instances of each parametrised page are followed (a draft assessment shows
    links a final one does not).
    """
    found = Crawl()
    # The start pages, then every page whose address needs no parameter (reached by a form, say).
    starts = START_PAGES + list(extra) + sorted(
        {route for route in portal_routes().values() if "<" not in route and "(" not in route} - set(START_PAGES)
    )
    queue = deque(starts)
    queued: set[str] = set(starts)
    tries: dict[str, int] = {}
    fetched = 0

    def done(route: str) -> bool:
        if tries.get(route, 0) >= tries_per_route:
            return True
        if route in found.other and found.other[route][1] == 200:
            return True
        return route in found.pages and "<" not in portal_routes().get(route, "")

    def enqueue(path: str) -> None:
        route = route_of(urlsplit(path).path)
        if route and path not in queued and not done(route):
            queued.add(path)
            queue.append(path)

    while queue and fetched < limit:
        address = queue.popleft()
        route = route_of(urlsplit(address).path)
        if route is None or done(route):
            continue
        response = client.get(address)
        fetched += 1
        tries[route] = tries.get(route, 0) + 1
        kind = response.get("Content-Type", "").split(";")[0]
        if response.status_code == 200 and kind == "text/html":
            found.pages.setdefault(route, address)
            found.other.pop(route, None)
            text = response.content.decode(response.charset or "utf-8", errors="replace")
            found.html.setdefault(route, text)
            parser = _Links()
            parser.feed(text)
            for href in parser.hrefs:
                path = _local_path(href, address)
                if path is not None:
                    enqueue(path)
        else:
            found.other[route] = (address, response.status_code, kind)
            if response.status_code in (301, 302) and response.get("Location"):
                path = _local_path(response["Location"], address)
                if path is not None:
                    enqueue(path)
    return found


@cache
def portal_routes() -> dict[str, str]:
    """Route name → pattern of every page the portal serves outside the admin and the API."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name, "/" + prefix + str(pattern.pattern)

    return {name: route for name, route in walk(get_resolver().url_patterns) if not route.startswith(SKIPPED_PREFIXES)}
