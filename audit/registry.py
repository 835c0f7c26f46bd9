"""Which models the audit trail covers.

Covered automatically: every model whose default manager is a scoping queryset (it has a
``country_path``, as every model that belongs to a country must), and the automatic M2M tables of
covered models. Other models are added by label in the ``AUDITED_MODELS`` setting, or with
``register()`` from an app's ``AppConfig.ready()``; a scoped model that must not be covered is
named with ``exempt()`` (also from ``ready()``)::

    from audit.registry import register
    register("trainings.ItemScore", country_path="enrolment__session__countries")

``country_path`` (default: the queryset's) says where the row's countries are, so managers see
the entries of their countries; a path that does not work on the model itself is looked for
through its foreign keys (``session__countries`` for an enrolment). ``redact`` lists columns
never copied into the trail (secrets); ``ignore`` lists columns whose change alone is not worth
an entry (e.g. ``last_login``).

Triggers follow the registry at every ``migrate`` (see ``triggers.py``), so a model registered
later is covered from its first migration on.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models


@dataclass(frozen=True)
class Audited:
    label: str
    country_path: str | None = None
    redact: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


_registered: dict[str, Audited] = {}
_exempt: set[str] = set()
_resolved: dict[str, dict] = {}  # "models": audited_models(), computed once the registry is complete


def register(label: str, *, country_path: str | None = None, redact=(), ignore=()) -> None:
    """Cover this model ("app_label.ModelName") by the audit trail."""
    _registered[label.lower()] = Audited(label.lower(), country_path, tuple(redact), tuple(ignore))
    _resolved.clear()


def exempt(label: str) -> None:
    """Leave a scoped model out of the trail (say why where you call this)."""
    _exempt.add(label.lower())
    _resolved.clear()


def exempted_labels() -> frozenset[str]:
    """Labels (lower case) that apps chose to leave out of the trail with ``exempt()``."""
    return frozenset(_exempt)


def scoping_country_path(model) -> str | None:
    """The ``country_path`` of the model's scoping queryset, if it has one."""
    queryset_class = getattr(model._default_manager, "_queryset_class", None)
    return getattr(queryset_class, "country_path", None)


def audited_models() -> dict[type[models.Model], Audited]:
    """Every covered model with its options, in a stable order."""
    if "models" not in _resolved or not apps.ready:
        _resolved["models"] = _resolve()
    return _resolved["models"]


def path_resolves(model, path: str) -> bool:
    """Whether ``path`` can be followed from ``model`` through concrete relations to a field."""
    current = model
    parts = path.split("__")
    for index, name in enumerate(parts):
        field = next((f for f in current._meta.get_fields() if f.name == name and f.concrete), None)
        if field is None:
            return False
        if index < len(parts) - 1:
            if not field.is_relation:
                return False
            current = field.related_model
    return True


def infer_country_path(model, path: str | None, depth: int = 3) -> str | None:
    """``path`` if it works on ``model``; else the same path reached through the model's own
    foreign keys (a session's enrolment inherits the session's ``countries``), nearest first."""
    if not path or path_resolves(model, path):
        return path
    frontier = [(model, "")]
    for _level in range(depth):
        following = []
        for current, prefix in frontier:
            for field in current._meta.concrete_fields:
                if field.is_relation and (field.many_to_one or field.one_to_one) and field.related_model is not model:
                    candidate = f"{prefix}{field.name}__{path}"
                    if path_resolves(model, candidate):
                        return candidate
                    following.append((field.related_model, f"{prefix}{field.name}__"))
        frontier = following
    return None


def _resolve() -> dict[type[models.Model], Audited]:
    for label in getattr(settings, "AUDITED_MODELS", ()):
        if label.lower() not in _registered:
            register(label)
    found: dict[type[models.Model], Audited] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in _exempt or model._meta.proxy or not model._meta.managed:
            continue
        if label in _registered:
            options = _registered[label]
            path = options.country_path or scoping_country_path(model)
            found[model] = Audited(label, infer_country_path(model, path), options.redact, options.ignore)
        elif scoping_country_path(model) is not None:
            found[model] = Audited(label, infer_country_path(model, scoping_country_path(model)))
    # A registered model without a country of its own takes the country of the covered row it
    # belongs to (an exam item score: its enrolment's).
    for model, options in list(found.items()):
        if options.country_path is None:
            for field in model._meta.concrete_fields:
                parent = found.get(field.related_model) if field.is_relation and field.many_to_one else None
                if parent is not None and parent.country_path and field.related_model is not model:
                    found[model] = Audited(
                        options.label, f"{field.name}__{parent.country_path}", options.redact, options.ignore
                    )
                    break
    # The automatic join tables of many-to-many fields belong to the model that declares them.
    for model, options in list(found.items()):
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if not through._meta.auto_created or through in found:
                continue
            path = options.country_path
            if path == field.name or (path or "").startswith(f"{field.name}__"):
                # The country is what the join row points at (e.g. a session's countries).
                path = field.m2m_reverse_field_name() + path[len(field.name) :]
            elif path:
                path = f"{field.m2m_field_name()}__{path}"
            found[through] = Audited(through._meta.label_lower, path)
    return dict(sorted(found.items(), key=lambda item: item[1].label))


def options_for(model) -> Audited | None:
    return audited_models().get(model)


def is_audited(model) -> bool:
    return model in audited_models()
