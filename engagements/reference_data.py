"""Reference data shipped with the portal (engagements/data/*.csv), loaded by a data migration.

Both lists stay editable in the admin afterwards: loading never overwrites an edited row. Their
names in Spanish, Portuguese and French come from data/reference-translations.json.
"""

import csv
import json
from pathlib import Path

from ta_portal import datacache

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_rows(filename: str) -> list[dict[str, str]]:
    with (DATA_DIR / filename).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_countries(Country) -> int:  # noqa: N803 (a historical model from a migration)
    existing = set(Country.objects.values_list("code", flat=True))
    new = [
        Country(
            code=row["code"],
            name=row["name"],
            region=row["region"],
            subregion=row["subregion"],
            oas_member=row["oas_member"] == "1",
        )
        for row in read_rows("countries.csv")
        if row["code"] not in existing
    ]
    Country.objects.bulk_create(new)
    datacache.changed(Country)
    return len(new)


def load_substances(ControlledSubstance, *, cas_numbers: set[str] | None = None) -> int:  # noqa: N803
    """Add the listed substances not yet recorded (by name or CAS number); ``cas_numbers`` limits the
    load to those rows (a data migration adding what the Convention's tables gained)."""
    names, known_cas = set(), set()
    for name, cas in ControlledSubstance.objects.values_list("name", "cas_number"):
        names.add(name)
        known_cas.add(cas)
    known_cas.discard("")
    new = [
        ControlledSubstance(name=row["name"], listing=row["table"], cas_number=row["cas"], used_for=row["used_for"])
        for row in read_rows("precursors-1988-convention.csv")
        if (cas_numbers is None or row["cas"] in cas_numbers)
        and row["name"] not in names
        and not (row["cas"] and row["cas"] in known_cas)
    ]
    ControlledSubstance.objects.bulk_create(new)
    datacache.changed(ControlledSubstance)
    return len(new)


def read_translations() -> dict:
    with (DATA_DIR / "reference-translations.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def _merge(current: dict, shipped: dict) -> dict:
    """The shipped texts for the languages and keys an admin has not filled in."""
    merged = {language: dict(block) for language, block in (current or {}).items()}
    for language, block in shipped.items():
        for key, text in block.items():
            merged.setdefault(language, {}).setdefault(key, text)
    return merged


def load_translations(Country, ControlledSubstance) -> int:  # noqa: N803
    """Give the shipped countries and substances their names in the other languages."""
    data = read_translations()
    changed = []
    lists = ((Country, "code", data["countries"]), (ControlledSubstance, "name", data["substances"]))
    for model, key, shipped in lists:
        for row in model.objects.filter(**{f"{key}__in": list(shipped)}):
            merged = _merge(row.translations, shipped[getattr(row, key)])
            if merged != row.translations:
                row.translations = merged
                changed.append(row)
    for model in (Country, ControlledSubstance):
        model.objects.bulk_update([row for row in changed if isinstance(row, model)], ["translations"])
    datacache.changed(Country, ControlledSubstance)
    return len(changed)
