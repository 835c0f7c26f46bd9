"""Find user-facing text that never reaches gettext: literal words in templates outside
{% translate %} / {% blocktranslate %}, and string literals given to labels, messages and errors in
Python code without `_()`."""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer
from django.template.base import TokenType

# Words that read the same in every language (formats, acronyms, product names, symbols).
INVARIANT = {
    "PDF", "CSV", "XLSX", "API", "REST", "ISO", "ICS", "vCard", "SVG", "OAS", "CICAD", "INCB", "TA", "HONLEA",
    "MEM", "PEN", "PICS", "TOTP", "QR", "ID", "id", "Excel", "OpenAPI", "Swagger", "CAS", "pp", "dz", "p", "n",
    "Ctrl", "Tab", "JSON", "A", "B", "v", "x", "×", "kg", "MB", "KB", "GB", "FreeOTP", "Aegis", "SHA", "UTC", "Cohen",
}
ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "aria-description", "aria-roledescription"}
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp"}
PLACEHOLDER = " "  # what a template tag or variable leaves behind: no words, and tags stay parseable
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def _words(text: str) -> list[str]:
    return [word for word in WORD.findall(text.replace(PLACEHOLDER, " ")) if word not in INVARIANT]


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value and _words(value):
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and _words(data):
            self.found.append(data.strip())


def untranslated_template_text(path: Path) -> list[str]:
    """Literal words of a template that are not inside a translation tag (variables count as translated)."""
    source = path.read_text(encoding="utf-8")
    pieces: list[str] = []
    depth = {"blocktranslate": 0, "comment": 0}
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans"):
                depth["blocktranslate"] += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                depth["blocktranslate"] -= 1
            elif name == "comment":
                depth["comment"] += 1
            elif name == "endcomment":
                depth["comment"] -= 1
            pieces.append(PLACEHOLDER)
        elif token.token_type == TokenType.TEXT and not any(depth.values()):
            pieces.append(token.contents)
        else:
            pieces.append(PLACEHOLDER)
    if path.suffix == ".txt":  # plain-text e-mails: every literal word is text
        return [line.strip() for line in "".join(pieces).splitlines() if _words(line)]
    parser = _Text()
    parser.feed("".join(pieces))
    return parser.found


# Keyword arguments and callables whose string argument is shown to people.
TEXT_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
TEXT_CALLS = {"success", "info", "warning", "error", "ValidationError", "PermissionDenied", "add_error"}


def untranslated_python_strings(path: Path) -> list[tuple[int, str]]:
    """Literals given to form and model labels, messages and errors. In api.py files only the errors
    count: help texts there document the OpenAPI schema, which is written in English."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    keywords = set() if path.name == "api.py" else TEXT_KEYWORDS
    found = []

    def literal(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _words(node.value):
            return node.value
        if isinstance(node, ast.JoinedStr):
            fixed = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
            return ast.unparse(node) if _words(fixed) else None
        return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for keyword in node.keywords:
            if keyword.arg in keywords and (text := literal(keyword.value)):
                found.append((node.lineno, text))
        if name in TEXT_CALLS:
            arguments = node.args[1:] if name in ("success", "info", "warning", "error", "add_error") else node.args[:1]
            for argument in arguments[:1]:
                if text := literal(argument):
                    found.append((node.lineno, text))
    return found
