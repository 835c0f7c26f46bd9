"""The kinds of report the portal renders, registered by the apps that own them.

An app registers a kind in its ``AppConfig.ready()`` (so web processes and workers both know it)::

    register(ReportKind(kind="assessment", build=build_assessment_report, visible_owners=...))

``build(owner, language)`` returns what to render; it runs inside ``translation.override(language)``.
``visible_owners(user)`` is the owner model's scoped queryset: the download of a report whose
owner is not in it answers 404, exactly like the owner's own pages.
"""

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class RenderSpec:
    template: str
    context: dict[str, Any]
    filename: str  # the download's name, e.g. "assessment-PE-2025.pdf"
    stylesheets: list[str] = field(default_factory=list)  # static paths, e.g. "reports/print.css"


@dataclass(frozen=True)
class ReportKind:
    kind: str
    build: Callable[[Any, str], RenderSpec]
    visible_owners: Callable[[Any], QuerySet]


_KINDS: dict[str, ReportKind] = {}


def register(report_kind: ReportKind) -> None:
    _KINDS[report_kind.kind] = report_kind


def get(kind: str) -> ReportKind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"No renderer is registered for report kind {kind!r}.") from None
