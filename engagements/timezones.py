"""The time zone a country's meetings are usually held in: where its capital is.

From the IANA database's ``zone.tab`` (shipped by the ``tzdata`` package, the same data ``zoneinfo``
reads). That file lists a country's zones from east to west, so for the few countries whose first
zone is not the capital's the capital's is named here.
"""

from functools import cache
from importlib import resources

CAPITAL_ZONES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "FM": "Pacific/Pohnpei",
    "KZ": "Asia/Almaty",
    "PS": "Asia/Hebron",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent",
}


@cache
def _first_zones() -> dict[str, str]:
    zones: dict[str, str] = {}
    text = (resources.files("tzdata.zoneinfo") / "zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone, *_comments = line.split("\t")
            zones.setdefault(code, zone)
    return zones


def country_time_zone(code: str | None) -> str | None:
    """The IANA time zone of the country's capital (``None`` for a code the database does not know)."""
    if not code:
        return None
    code = code.upper()
    return CAPITAL_ZONES.get(code) or _first_zones().get(code)
