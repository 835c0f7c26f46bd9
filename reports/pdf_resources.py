"""What a PDF may load while WeasyPrint renders it: the portal's own static files and data: URIs.

WeasyPrint's default fetcher follows any URL in the HTML or CSS (file://, http://, ftp://). Report
HTML is ours, but it carries user text; should a template ever mark such text safe, an <img> or
url() in it could read files of the server or reach the network. This fetcher refuses all but what
a report needs. Imported only where PDFs are rendered (WeasyPrint loads native libraries).
"""

from pathlib import Path
from urllib.parse import unquote
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher


def static_roots() -> list[Path]:
    """Every folder the static files are served from (the finders' and the collected one)."""
    roots = [
        Path(storage.location).resolve()
        for finder in finders.get_finders()
        for storage in getattr(finder, "storages", {}).values()
    ]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class StaticFilesOnly(URLFetcher):
    """A fetcher for data: URIs and file: URLs inside the static folders; anything else is refused
    (WeasyPrint then leaves the resource out and logs a warning, the rest of the PDF renders)."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, **kwargs)
        self.roots = static_roots()

    def fetch(self, url, headers=None):
        if url.lower().startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self.roots):
                raise ValueError(f"Not a static file of the portal: {url}")
        return super().fetch(url, headers)
