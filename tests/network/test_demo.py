"""The demo's network: members from several countries, an annual meeting with participants,
attendance, conclusions and documents (real PDF files), experts, external recommendations;
seeding again adds nothing."""

import io
import subprocess

from engagements import demo as engagements_demo
from network import demo
from network.models import Document
from network.models import DocumentVersion
from network.models import ExpertProfile
from network.models import ExternalRecommendation
from network.models import Network
from network.models import NetworkEvent
from network.models import Registration
from network.selectors import event_participation


def seed() -> str:
    out = io.StringIO()
    engagements_demo.seed(out)
    demo.seed(out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Network,
            NetworkEvent,
            Registration,
            Document,
            DocumentVersion,
            ExpertProfile,
            ExternalRecommendation,
        )
    )


def test_the_demo_network_runs_an_annual_meeting_with_its_document_site(db, pdftotext):
    output = seed()
    assert "network: 1 network" in output
    network = Network.objects.get(name=demo.NETWORK_NAME)
    member_countries = set(network.memberships.values_list("user__memberships__country", flat=True)) - {None}
    assert len(member_countries) >= 2
    meeting = NetworkEvent.objects.get(title=demo.MEETING_TITLE)
    figures = event_participation(meeting)
    assert figures.n_countries == 6
    assert 0 < figures.total.attended < figures.total.registered
    assert figures.by_sex["female"].registered and figures.by_sex["male"].registered
    assert meeting.agenda_items.count() >= 5 and meeting.outcomes.filter(kind="recommendation").exists()
    # documents of every audience, each a real PDF whose text reads back
    assert set(Document.objects.values_list("audience", flat=True)) == {
        "everyone",
        "network",
        "event",
        "country",
        "managers",
    }
    version = DocumentVersion.objects.filter(document__title="Report of the XII Annual Meeting").get()
    text = subprocess.run([pdftotext, version.file.path, "-"], capture_output=True, check=True, text=True).stdout
    assert "Report of the XII Annual Meeting" in text
    assert Document.objects.get(title="Good practices in pre-export notification").versions.count() == 2
    # experts who hide their contact details, and recommendations to several countries
    assert ExpertProfile.objects.filter(opted_in=True, show_contact=False).exists()
    assert ExternalRecommendation.objects.values("country").distinct().count() >= 4
    assert ExternalRecommendation.objects.filter(event=meeting).exists()
    # seeding again adds nothing
    before = counts()
    seed()
    assert counts() == before
