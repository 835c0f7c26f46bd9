"""vCard 3.0 (RFC 2426) export of directory entries.

vobject writes the text: it escapes values (backslash, comma, semicolon, newline), ends lines in
CRLF and folds them at 75 octets without splitting a UTF-8 character. Only the fields of an
``ExpertEntry`` are used, so contact details an expert hides (blank in the entry) can never appear.
"""

from collections.abc import Iterable

import vobject

from .selectors import ExpertEntry


def _name_parts(full_name: str) -> tuple[str, str]:
    """(family, given): the first word is taken as the given name, the rest as the family names."""
    words = full_name.split()
    if len(words) < 2:
        return full_name, ""
    return " ".join(words[1:]), words[0]


def entry_vcard(entry: ExpertEntry) -> str:
    card = vobject.vCard()
    family, given = _name_parts(entry.full_name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    card.add("fn").value = entry.full_name
    if entry.agency:
        card.add("org").value = [entry.agency]
    if entry.position:
        card.add("title").value = entry.position
    if entry.show_contact and entry.email:
        email = card.add("email")
        email.value, email.type_param = entry.email, ["INTERNET", "WORK"]
    if entry.show_contact and entry.phone:
        tel = card.add("tel")
        tel.value, tel.type_param = entry.phone, ["WORK", "VOICE"]
    address = card.add("adr")
    address.value, address.type_param = vobject.vcard.Address(country=entry.country_name), "WORK"
    categories = [*entry.expertise_list, *entry.topics]
    if categories:
        card.add("categories").value = categories
    if entry.languages:
        card.add("note").value = entry.languages
    card.add("uid").value = f"urn:ta-portal:expert:{entry.id}"
    return card.serialize()


def vcards(entries: Iterable[ExpertEntry]) -> str:
    return "".join(entry_vcard(entry) for entry in entries)
