"""The authorization matrix: every page and API endpoint that shows or changes a country's data,
for each role, against an object of the user's own country and of another country.

Each app lists its cases in ``tests/<app>/authz_cases.py`` as ``CASES``; the matrix test runs them
all. A case names its URL route so that a completeness check can find routes with no case.

Statuses: 200/201/302 allowed, 403 visible but not allowed, 404 out of scope, 401 no credentials.
"""

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from tests.factories import World

ROLES = ("admin", "manager", "trainer", "counterpart", "viewer")


@dataclass(frozen=True)
class Case:
    """One request, made by each role against the own-country and the other-country object.

    ``url(world, side)`` builds the URL for side ``"own"`` or ``"other"``; ``expected[role]`` is
    ``(own_status, other_status)``; ``data(world, side)`` builds the request body for writes.
    """

    name: str
    route: str
    method: str
    url: Callable[[World, str], str]
    expected: dict[str, tuple[int, int]]
    data: Callable[[World, str], Any] | None = None
    api: bool = False
    anonymous: int | None = None  # expected status without credentials (default: 302 page, 401 API)
    setup: Callable[[World], None] | None = None
    extra: dict = field(default_factory=dict)  # e.g. {"format": "multipart"} for an API upload

    def anonymous_status(self) -> int:
        if self.anonymous is not None:
            return self.anonymous
        return 401 if self.api else 302


def same(status: int) -> tuple[int, int]:
    return (status, status)


def scoped(own: int) -> tuple[int, int]:
    """Allowed (or refused) at home; the other country's object is out of scope: 404."""
    return (own, 404)


def obj(world: World, side: str, name: str):
    return getattr(world, name if side == "own" else f"other_{name}")
