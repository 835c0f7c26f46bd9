"""The main navigation, gathered from each app's ``nav.py`` (``nav_items(request)``), in app order."""

from dataclasses import dataclass
from dataclasses import replace

from .discovery import portal_modules
from .work import nav_counts


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    # The URL prefix that marks the item as the current section.
    section: str = ""
    # The work waiting in the section (ta_portal.work), shown as a badge.
    count: int = 0
    # Registers and reference pages reached now and then: under "More", so the bar keeps to one line
    # on a 1366 px screen in every language, with room for the header's other controls.
    secondary: bool = False
    # Shown in the bar instead of a long label, which stays the link's name for assistive technology
    # (so it must be a part of it, as WCAG's "label in name" asks).
    short_label: str = ""


def nav_items(request) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items: list[NavItem] = []
    for module in portal_modules("nav"):
        items.extend(module.nav_items(request))
    counts = nav_counts(request, [item.section for item in items])
    return [replace(item, count=counts.get(item.section, 0)) if item.section else item for item in items]


def nav_sections(request) -> list[str]:
    """The sections of the user's navigation (what the work counts are counted under)."""
    sections: list[str] = []
    for module in portal_modules("nav"):
        sections.extend(item.section for item in module.nav_items(request))
    return sections


def engagement_links(request, engagement) -> list[NavItem]:
    """Links from an engagement's page to its activities, from each app's ``nav.engagement_links``."""
    links: list[NavItem] = []
    for module in portal_modules("nav"):
        if hasattr(module, "engagement_links"):
            links.extend(module.engagement_links(request, engagement))
    return links


def panels(kind: str, request, obj) -> list[str]:
    """Sections that later apps add to an earlier app's page (rendered HTML), from each app's
    ``nav.<kind>_panels(request, obj)``: e.g. the surveys of a training session on its page."""
    found: list[str] = []
    for module in portal_modules("nav"):
        function = getattr(module, f"{kind}_panels", None)
        if function is not None:
            found.extend(function(request, obj))
    return found
