"""Full-text search vocabulary shared by the library (which stores a document's vector) and the search
app (which queries every kind): the PostgreSQL text-search configuration of each language, and the
one way a highlighted snippet becomes HTML.

A text is indexed and a query is parsed twice: with the configuration of a language (stemming and
stop words: "medida" finds "medidas") and with ``simple`` (every word as written, no stop words).
``simple`` catches what a language's configuration misses: names of people, places and agencies,
acronyms, CAS numbers, and words of another language than the one chosen (an English-speaking
manager looking for "medidas" in a Spanish report). A match in either counts; ranking does the rest.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe

SIMPLE = "simple"
# The portal's languages and PostgreSQL's built-in (Snowball) configuration of each.
CONFIGS = {"en": "english", "es": "spanish", "pt": "portuguese", "fr": "french"}

# What PostgreSQL's ts_headline puts around a match: characters of the Unicode private-use area, which
# no language writes, so the snippet can be escaped whole and only these become markup.
MARK_START = "\ue000"
MARK_STOP = "\ue001"


def config_for(language: str | None) -> str:
    """The text-search configuration of ``language`` ("es", "es-ar"), ``simple`` for any other."""
    return CONFIGS.get((language or "")[:2].lower(), SIMPLE)


def marked_html(text: str) -> SafeString:
    """``text`` with its matches between MARK_START and MARK_STOP, as HTML: everything escaped, and
    each marked match in a ``<mark>`` element (always closed, whatever the markers in the text)."""
    parts = (text or "").split(MARK_START)
    html = [escape(parts[0].replace(MARK_STOP, ""))]
    for part in parts[1:]:
        match, closed, rest = part.partition(MARK_STOP)
        if closed and match:
            html.append(f"<mark>{escape(match)}</mark>")
        else:
            html.append(escape(match))
        html.append(escape(rest.replace(MARK_STOP, "")))
    return mark_safe("".join(html))  # noqa: S308 (every piece of text above is escaped)


def mark_terms(text: str, terms: list[str], *, width: int = 240) -> str:
    """A window of ``text`` around the first of ``terms`` found (case-insensitive), each occurrence of
    every term between the markers: the snippet where PostgreSQL's ts_headline is not available."""
    lowered = text.lower()
    found = [lowered.find(term.lower()) for term in terms if term]
    first = min((index for index in found if index >= 0), default=0)
    start = max(0, first - width // 3)
    window = text[start : start + width]
    marked = []
    index = 0
    lowered_window = window.lower()
    needles = sorted({term.lower() for term in terms if term}, key=len, reverse=True)
    while index < len(window):
        hit = next((needle for needle in needles if lowered_window.startswith(needle, index)), None)
        if hit is None:
            marked.append(window[index])
            index += 1
        else:
            marked.append(MARK_START + window[index : index + len(hit)] + MARK_STOP)
            index += len(hit)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(text) else ""
    return prefix + "".join(marked) + suffix
