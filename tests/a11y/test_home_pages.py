"""The home page ("My work") of each role, on the demo data: axe-core finds nothing blocking, in
English and Spanish, and a first visit stays within the page-weight budget. The whole crawl checks
it too (test_axe_pages.py, test_page_weight.py); this looks at it alone, so a change to the home
page can be checked without visiting every page of the portal."""

import pytest

from .test_page_weight import BUDGET
from .visits import WEIGHED
from .visits import visit_pages

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("role", ["counterpart", "manager", "trainer", "viewer"])
def test_the_home_page_of_each_role_passes_axe_within_the_weight_budget(
    demo_site, production_server, browser, role, language
):
    demo_site.prefer(role, language)
    visit = visit_pages(
        browser, production_server, {"home": "/"}, language=language, cookie=demo_site.session_cookie(role)
    )["home"]

    assert visit.problems(language) == []
    if language == WEIGHED:
        assert visit.weight is not None and visit.weight <= BUDGET, f"{visit.weight / 1024:.0f} KB"
