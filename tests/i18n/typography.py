"""French typography in the catalogue: a non-breaking space (U+00A0, or the narrow U+202F) before the
high punctuation marks : ; ? ! — never an ordinary space, nor none at all.

Left alone: what is not prose — a URL or a query string (``https://``, ``?page=2``), a time (``09:00``),
a placeholder's insides and the marks doubled or following an opening quote or bracket."""

import re

HIGH_MARKS = ":;?!"
NO_BREAK = "\u00a0\u202f"
# Stretches that are not prose: placeholders, URLs and paths with a query, times, HTML tags and entities.
NOT_PROSE = re.compile(
    r"%\([^)]*\)[sdfr]|\{\{.*?\}\}|\{[^}\s]*\}|https?://\S+|[\w/.-]*\?[\w%()]+=\S*|\b\d{1,2}:\d{2}\b|<[^>]+>|&\w+;"
)


def bad_marks(text: str) -> list[str]:
    """The high punctuation marks of ``text`` not preceded by a non-breaking space, each in its context."""
    masked = NOT_PROSE.sub(lambda match: "x" * len(match.group(0)), text)
    found = []
    for index, char in enumerate(masked):
        if char not in HIGH_MARKS or index == 0:
            continue
        before = masked[index - 1]
        if before in NO_BREAK or before in HIGH_MARKS or before in "«(['\"":
            continue
        found.append(text[max(0, index - 15) : index + 1])
    return found


def fix(text: str) -> str:
    """``text`` with a non-breaking space before each high mark that lacks one (an ordinary space before
    it replaced)."""
    masked = NOT_PROSE.sub(lambda match: "x" * len(match.group(0)), text)
    out = []
    for index, char in enumerate(text):
        if masked[index] in HIGH_MARKS and index > 0:
            before = masked[index - 1]
            if not (before in NO_BREAK or before in HIGH_MARKS or before in "«(['\""):
                if out and out[-1] == " ":
                    out[-1] = "\u00a0"
                else:
                    out.append("\u00a0")
        out.append(char)
    return "".join(out)
