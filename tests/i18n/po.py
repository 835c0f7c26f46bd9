"""A small reader for gettext PO files: enough to tell which entries are missing, empty or fuzzy."""

import ast
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstr) and all(self.msgstr.values())

    def where(self) -> str:
        return self.references[0] if self.references else "?"


def read_po(path: Path) -> list[Entry]:
    """The live entries of a catalogue (obsolete `#~` entries and the header are left out)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal entry, target
        if entry.msgid or entry.msgstr:
            entries.append(entry)
        entry, target = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if target is not None and (entry.msgid or entry.msgstr):
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#:"):
            entry.references.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value, name = ast.literal_eval(line), target
        else:
            if keyword in ("msgctxt", "msgid") and target is not None and target[0].startswith("msgstr"):
                finish()
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                name = ("msgstr", int(keyword[7:-1]))
            else:
                name = (keyword, None)
            target = name
            if name[0] == "msgstr":
                entry.msgstr.setdefault(name[1] or 0, "")
        kind, index = name
        if kind == "msgid":
            entry.msgid += value
        elif kind == "msgid_plural":
            entry.msgid_plural += value
        elif kind == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif kind == "msgstr":
            entry.msgstr[index or 0] = entry.msgstr.get(index or 0, "") + value
    finish()
    return [e for e in entries if e.msgid]  # the header has an empty msgid
