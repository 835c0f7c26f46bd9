"""The default precursor-control framework shipped with the portal (data/*.json), loaded by a
data migration. Loading creates the version if it is missing and never overwrites edited rows;
admins change the framework by making a new version in the admin."""

import json
from pathlib import Path

from ta_portal import datacache

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FRAMEWORK_FILE = "precursor-control-framework-v1.json"


def read_framework(filename: str = DEFAULT_FRAMEWORK_FILE) -> dict:
    with (DATA_DIR / filename).open(encoding="utf-8") as handle:
        return json.load(handle)


def _framework_translations(Framework, data: dict) -> dict:  # noqa: N803
    # Migration 0002 loads the framework before the column exists (0004 adds it).
    if any(field.name == "translations" for field in Framework._meta.get_fields()):
        return {"translations": data.get("translations") or {}}
    return {}


def load_framework(Framework, Dimension, filename: str = DEFAULT_FRAMEWORK_FILE):  # noqa: N803 (historical models)
    data = read_framework(filename)
    framework, created = Framework.objects.get_or_create(
        code=data["code"],
        version=data["version"],
        defaults={"name": data["name"], "description": data["description"], **_framework_translations(Framework, data)},
    )
    if not created:
        return framework
    Dimension.objects.bulk_create(
        Dimension(
            framework=framework,
            code=item["code"],
            order=position,
            name=item["name"],
            description=item["description"],
            **{f"level_{level}": item["levels"][str(level)] for level in range(1, 6)},
            translations=_shipped_translations(item),
        )
        for position, item in enumerate(data["dimensions"], start=1)
    )
    datacache.changed(Dimension)
    return framework


LANGUAGES = ("es", "pt", "fr")


def _shipped_translations(item: dict) -> dict:
    return {language: item[language] for language in LANGUAGES if language in item}


def _merge(current: dict, shipped: dict) -> dict:
    """The shipped texts where an admin has given none (per language and key, levels included)."""
    merged = {language: dict(block) for language, block in (current or {}).items()}
    for language, block in shipped.items():
        target = merged.setdefault(language, {})
        for key, text in block.items():
            if isinstance(text, dict):
                target[key] = {**text, **(target.get(key) or {})}
            else:
                target.setdefault(key, text)
    return merged


def load_framework_translations(Framework, Dimension, filename: str = DEFAULT_FRAMEWORK_FILE) -> int:  # noqa: N803
    """Fill in the shipped version's texts in the other languages, never overwriting an admin's.

    Writes with update(): a version in use is frozen for edits through the model, but its
    translations only say the same thing in another language.
    """
    data = read_framework(filename)
    framework = Framework.objects.filter(code=data["code"], version=data["version"]).first()
    if framework is None:
        return 0
    changed = 0
    shipped = data.get("translations") or {}
    merged = _merge(framework.translations, shipped)
    if merged != framework.translations:
        Framework.objects.filter(pk=framework.pk).update(translations=merged)
        changed += 1
    items = {item["code"]: item for item in data["dimensions"]}
    for dimension in Dimension.objects.filter(framework=framework, code__in=list(items)):
        merged = _merge(dimension.translations, _shipped_translations(items[dimension.code]))
        if merged != dimension.translations:
            Dimension.objects.filter(pk=dimension.pk).update(translations=merged)
            changed += 1
    datacache.changed(Framework, Dimension)
    return changed
