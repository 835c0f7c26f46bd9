"""vCard 3.0 (RFC 2426) export of directory entries.

Written by hand (no library is installed for it): text values are escaped (backslash, comma,
semicolon, newline), lines end in CRLF and are folded at 75 octets without splitting a UTF-8
character. Only the fields of an ``ExpertEntry`` are used, so contact details an expert hides
(blank in the entry) can never appear.
"""

from collections.abc import Iterable

from .selectors import ExpertEntry

_MAX_OCTETS = 75


def escape(value: str) -> str:
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line: CRLF + one space before each 75-octet piece after the first."""
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        # Continuation lines start with a space, which counts towards their 75 octets.
        limit = _MAX_OCTETS if not pieces else _MAX_OCTETS - 1
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _name_parts(full_name: str) -> tuple[str, str]:
    """(family, given): the first word is taken as the given name, the rest as the family names."""
    words = full_name.split()
    if len(words) < 2:
        return full_name, ""
    return " ".join(words[1:]), words[0]


def entry_vcard(entry: ExpertEntry) -> str:
    family, given = _name_parts(entry.full_name)
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{escape(family)};{escape(given)};;;",
        f"FN:{escape(entry.full_name)}",
    ]
    if entry.agency:
        lines.append(f"ORG:{escape(entry.agency)}")
    if entry.position:
        lines.append(f"TITLE:{escape(entry.position)}")
    if entry.show_contact and entry.email:
        lines.append(f"EMAIL;TYPE=INTERNET,WORK:{escape(entry.email)}")
    if entry.show_contact and entry.phone:
        lines.append(f"TEL;TYPE=WORK,VOICE:{escape(entry.phone)}")
    lines.append(f"ADR;TYPE=WORK:;;;;;;{escape(entry.country_name)}")
    categories = [*entry.expertise_list, *entry.topics]
    if categories:
        lines.append("CATEGORIES:" + ",".join(escape(item) for item in categories))
    if entry.languages:
        lines.append(f"NOTE:{escape(entry.languages)}")
    lines.append(f"UID:urn:ta-portal:expert:{entry.id}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def vcards(entries: Iterable[ExpertEntry]) -> str:
    return "".join(entry_vcard(entry) for entry in entries)
