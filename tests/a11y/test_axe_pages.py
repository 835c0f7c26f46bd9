"""Every page of the demo, as each role, in each language, passes axe-core with no serious or
critical violation, says which language it is in, and offers the language switcher (checked on the
browser pass's one visit of each page, tests/a11y/visits.py, with the rules chosen there: in
English as each role, in the other languages once per page, see BrowserPass in conftest.py).

Which pages: the crawl (crawl.py) follows links from the start pages as each role, so a new page
is checked as soon as something links to it; `test_every_page_of_the_portal_is_reached` fails for
a page nothing links to, unless it is listed below as not a page (with the reason).
"""

from html.parser import HTMLParser

import pytest

from .conftest import ROLES
from .crawl import portal_routes
from .visits import FULL_CHECK
from .visits import LANGUAGES

pytestmark = pytest.mark.e2e

# Routes that are not pages a visitor lands on, and why. Anything else must be reached by the crawl.
NOT_PAGES = {
    "accounts:logout": "POST only",
    "accounts:set_language": "POST only (the switcher on every page)",
    "accounts:otp_disable": "POST only",
    "accounts:token_revoke": "POST only",
    "accounts:tokens_revoke_all": "POST only",
    "accounts:password_reset_confirm": "reached from the e-mailed link only (token)",
    "accounts:email_confirm": "reached from the e-mailed link only (signed token); it redirects to the profile",
    "accounts:otp_enrol_link": "reached from the e-mailed link only (signed token); it redirects to the 2FA set-up",
    "accounts:otp_enrol": "shown only to a role that must use 2FA and has none, and the demo requires none "
    "(tests/e2e/test_audit_security_browser.py runs axe on it)",
    "engagements:advance": "POST only (the home page's one-click move to the suggested phase; a refused "
    "post shows its form again, the same form the home page shows)",
    "assessments:status": "POST only (workflow buttons on the assessment page)",
    "assessments:report": "POST only (requests the PDF)",
    "reports:status": "JSON polled by the report status script",
    "reports:download": "the PDF file",
    "trainings:certificate_action": "POST only",
    "network:event_certificate_pdf": "POST only",
    "trainings:participant_remove": "POST only",
    "trainings:score_preview": "JSON for the score grid's live statistics",
    "followups:round_close": "POST only",
    "followups:update_save": "POST only (the round page's forms)",
    "followups:evidence_delete": "POST only",
    "network:event_agenda_delete": "POST only",
    "network:event_register_me": "POST only",
    "network:event_send_invitations": "POST only",
    "network:network_member_add": "POST only",
    "network:network_member_remove": "POST only",
    "network:registration_cancel": "POST only",
    "outcomes:annual_report": "POST only (requests the PDF)",
    "outcomes:value_review": "POST only (the indicator page's verify and return buttons)",
    "outcomes:value_evidence": "the evidence file (the demo's values give links)",
    "history:import_progress": "JSON polled by the import page's progress script",
    "history:import_confirm": "POST only (the dry run's button)",
    "surveys:template_copy": "POST only (the template page's copy button)",
    "outcomes:iati_public": "the IATI XML file of a programme that published it",
    "notifications:read": "POST only (the notifications page's buttons)",
    "notifications:read_all": "POST only (the notifications page's button)",
    "notifications:digest": "POST only (the profile page's digest choice)",
    "notifications:calendar_renew": "POST only (the profile page's button)",
    "notifications:calendar_feed": "the .ics calendar, read by calendar applications",
}


class _ChartsAndTables(HTMLParser):
    """Counts charts (SVG with role="img") and tables per innermost <section>; the page is the outermost.
    A chart whose data table sits elsewhere points at it with aria-details."""

    def __init__(self):
        super().__init__()
        self.open = [[0, 0]]  # [charts, tables] of each open section, the page first
        self.closed = []
        self.table_ids = set()
        self.pointed_at = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "section":
            self.open.append([0, 0])
        elif tag == "svg" and attributes.get("role") == "img":
            if attributes.get("aria-details"):
                self.pointed_at.append(attributes["aria-details"])
            else:
                self.open[-1][0] += 1
        elif tag == "table":
            self.open[-1][1] += 1
            self.table_ids.add(attributes.get("id"))

    def handle_endtag(self, tag):
        if tag == "section" and len(self.open) > 1:
            self.closed.append(self.open.pop())

    def charted(self) -> bool:
        return bool(self.pointed_at) or any(charts for charts, _tables in [*self.closed, *self.open])

    def sections_without_table(self) -> int:
        unpointed = sum(1 for charts, tables in [*self.closed, *self.open] if charts and not tables)
        return unpointed + sum(1 for table in self.pointed_at if table not in self.table_ids)


def test_every_chart_has_its_data_in_a_table(demo_site):
    """Charts are SVG images (role="img"); every section that draws some also holds their data as a
    table (one table may hold the series of several small charts)."""
    charted = 0
    missing = []
    for role in ROLES:
        for route, html in demo_site.crawl(role).html.items():
            parser = _ChartsAndTables()
            parser.feed(html)
            if parser.charted():
                charted += 1
                if parser.sections_without_table():
                    missing.append(f"{route} as {role}: {parser.sections_without_table()} section(s)")
    assert charted >= 5, "the demo should show charts on several pages"
    assert not missing, missing


def test_every_page_of_the_portal_is_reached(demo_site):
    reached = set().union(*(demo_site.crawl(role).routes for role in ROLES))
    missing = sorted(set(portal_routes()) - reached - set(NOT_PAGES))
    assert not missing, (
        "No demo page links to these routes, so nothing checks them: link them, give the demo the data "
        f"that shows them, or list them in NOT_PAGES with the reason: {missing}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe(demo_site, visits, role, language):
    # given: the role's pages (in a language other than English, those no earlier role opened: see
    # BrowserPass), opened in Chromium in the user's language (the preference the switcher stores),
    # and checked by axe-core on that visit (tests/a11y/visits.py)
    assert demo_site.crawl(role).pages, f"the crawl found no page for {role}"
    pages = visits(role, language)
    assert set(pages) == set(visits.pages(role, language))
    # then: each answered, is in the chosen language, offers the switcher and has no serious violation
    problems = [problem for visit in pages.values() for problem in visit.problems(language)]
    assert not problems, f"{len(problems)} problem(s) as {role} in {language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language not in FULL_CHECK])
def test_in_every_language_each_page_any_role_reaches_is_opened(demo_site, visits, language):
    opened = [route for role in ROLES for route in visits.pages(role, language)]
    assert len(opened) == len(set(opened)), "a page opened twice in the same language"
    assert set(opened) == set().union(*(demo_site.crawl(role).pages for role in ROLES))
