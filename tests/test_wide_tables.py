"""Every table of a page scrolls inside its own box (Bootstrap's ``.table-responsive``) when it is wider
than the screen, instead of being cut off or widening the page. Printed templates (PDFs) are exempt."""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint onto paper, or sent as e-mail: no screen to scroll on.
PRINTED = ("reports/", "outcomes/annual_report.html", "outcomes/_print_table.html", "assessments/report.html")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open: list[tuple[str, bool]] = []
        self.bare: list[int] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and not any(responsive for _tag, responsive in self.open):
            self.bare.append(self.getpos()[0])
        self.open.append((tag, "table-responsive" in classes))

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break


def _printed(path: Path) -> bool:
    relative = path.relative_to(TEMPLATES).as_posix()
    return relative.startswith(PRINTED) or "email" in relative or "print" in path.name


def test_every_table_on_a_page_scrolls_inside_its_box():
    bare = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if _printed(path):
            continue
        text = path.read_text(encoding="utf-8")
        if "<table" not in text or "base_print" in text:
            continue
        if '{% extends "_list_page.html" %}' in text:
            # The list page's layout puts the table tag a page gives inside its .table-responsive box.
            text = re.sub(r"{% block table_tag %}.*?{% endblock %}", "", text, flags=re.S)
        parser = _Tables()
        parser.feed(text)
        bare += [f"{path.relative_to(TEMPLATES)}:{line}" for line in parser.bare]
    assert not bare, f"tables outside a .table-responsive box: {bare}"
