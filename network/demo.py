"""Demo data of the network layer: the Precursor Control Network of the Americas, its annual
meeting (agenda, participants from six countries, attendance, conclusions, documents), a coming
webinar, a small document library with real PDF files, the expert directory and the
recommendations countries received from CICAD's MEM and HONLEA. Every name is fictitious.
"""

import random
from datetime import date
from datetime import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from weasyprint import HTML

from accounts.models import User
from assessments.models import Dimension
from assessments.models import Framework
from engagements.models import Engagement
from engagements.models import Person
from engagements.models import Programme
from ta_portal.demo import row_fields

from . import services
from .certificates import event_certificates_issue
from .models import AgendaItem
from .models import Document
from .models import EventCertificate
from .models import EventOutcome
from .models import ExpertProfile
from .models import ExternalRecommendation
from .models import Network
from .models import NetworkEvent
from .models import NetworkMembership
from .models import Registration

NETWORK_NAME = "Precursor Control Network of the Americas"
# The programme under which the annual meeting ran (engagements/demo.py): its certificates' issuer.
DEMO_PROGRAMME = "cicad-precursors"
MEETING_TITLE = "XII Annual Meeting of the Precursor Control Network of the Americas"
WEBINAR_TITLE = "Webinar: non-scheduled substances and designer precursors"
COUNTRIES = ["PE", "CO", "BO", "EC", "PY", "DO"]

# The annual meeting in Lima and a coming webinar.
# fmt: off
MEETING = dict(
    title=MEETING_TITLE, kind=NetworkEvent.Kind.ANNUAL_MEETING, modality=NetworkEvent.Modality.IN_PERSON,
    start_date=date(2026, 5, 12), end_date=date(2026, 5, 14), registration_open=False,
    venue="Centro de Convenciones", city="Lima", host_country_id="PE",
    description="The network's annual meeting: trends in diversion, pre-export notifications, cooperation with industry, disposal of seized chemicals.",
)
WEBINAR = dict(
    title=WEBINAR_TITLE, kind=NetworkEvent.Kind.WEBINAR, modality=NetworkEvent.Modality.VIRTUAL,
    start_date=date(2027, 2, 10), end_date=date(2027, 2, 10), registration_open=True,
    online_url="https://meet.example.org/pcna-webinar",
    description="How countries detect and control substances that are not (yet) scheduled.",
)
# fmt: on

AGENDA = [
    (0, time(9, 0), time(9, 45), "Opening and adoption of the agenda", "Network coordination"),
    (0, time(10, 0), time(12, 30), "Country round: trends in diversion since the last meeting", "National delegations"),
    (
        0,
        time(14, 0),
        time(16, 0),
        "Pre-export notifications: using PEN Online to stop suspicious shipments",
        "INCB secretariat (guest)",
    ),
    (1, time(9, 0), time(11, 0), "Working groups: regulators, enforcement and industry", ""),
    (
        1,
        time(11, 30),
        time(13, 0),
        "Voluntary cooperation with industry: suspicious orders",
        "Industry association (guest)",
    ),
    (
        1,
        time(14, 30),
        time(16, 30),
        "Case study: backtracking a seized shipment of potassium permanganate",
        "Prosecution services",
    ),
    (2, time(9, 0), time(11, 0), "Safe disposal of seized chemicals", "Forensic laboratories"),
    (2, time(11, 30), time(12, 30), "Conclusions and recommendations; next meeting", "Network coordination"),
]

OUTCOMES = [
    (
        "conclusion",
        "Diversion increasingly uses non-scheduled substances and pre-precursors sold through domestic distributors.",
    ),
    (
        "conclusion",
        "Countries that registered in PEN Online and answer pre-export notifications within 15 days stopped more suspicious shipments.",
    ),
    (
        "conclusion",
        "Cooperation with industry works where companies have a contact point and feedback on the reports they make.",
    ),
    (
        "recommendation",
        "Each country designates a national contact point for suspicious orders and shares it within the network within three months.",
    ),
    (
        "recommendation",
        "Countries review their lists of controlled substances at least every two years, including pre-precursors.",
    ),
    (
        "recommendation",
        "The network holds a bi-regional seminar with European counterparts on designer precursors in 2027.",
    ),
]

EXPERTISE = [
    "pre-export notifications, PEN Online",
    "clandestine laboratories, chemical profiling",
    "licensing of operators, inspections",
    "customs risk profiling, container inspection",
    "backtracking investigations, prosecution",
    "disposal of seized chemicals",
    "voluntary cooperation with industry",
    "legislation on pre-precursors",
]

# The columns of EXTERNAL_RECOMMENDATIONS: ExternalRecommendation fields, and the code of the topic.
EXTERNAL_RECOMMENDATION_FIELDS = "country_id source round date reference text theme topic_code"
EXTERNAL_RECOMMENDATIONS = [
    (
        "PE",
        "cicad_mem",
        "Eighth evaluation round (2019–2023)",
        date(2024, 6, 20),
        "Rec. 17",
        "Update the national list of controlled chemical substances to include pre-precursors and designer precursors.",
        "Control measures",
        "legal",
    ),
    (
        "PE",
        "cicad_mem",
        "Eighth evaluation round (2019–2023)",
        date(2024, 6, 20),
        "Rec. 18",
        "Establish a mechanism for exchanging information on suspicious transactions between the regulator, customs and the police.",
        "Control measures",
        "institutional",
    ),
    (
        "CO",
        "cicad_mem",
        "Eighth evaluation round (2019–2023)",
        date(2024, 6, 20),
        "Rec. 21",
        "Strengthen inspections of registered operators with a risk-based annual plan.",
        "Control measures",
        "inspections",
    ),
    (
        "CO",
        "honlea",
        "HONLEA Americas, 33rd meeting",
        date(2025, 10, 9),
        "Rec. 4",
        "Share seizure data on precursor chemicals with the regional network every quarter.",
        "International cooperation",
        "international",
    ),
    (
        "BO",
        "cicad_mem",
        "Eighth evaluation round (2019–2023)",
        date(2024, 6, 20),
        "Rec. 9",
        "Set up facilities and procedures for the safe storage and disposal of seized chemical substances.",
        "Control measures",
        "seized_chemicals",
    ),
    (
        "EC",
        "honlea",
        "HONLEA Americas, 33rd meeting",
        date(2025, 10, 9),
        "Rec. 2",
        "Register the competent national authority in PEN Online and answer pre-export notifications within the deadline.",
        "Control measures",
        "trade",
    ),
]


def _pdf(title: str, paragraphs: list[str]) -> bytes:
    """A small real PDF (WeasyPrint), so the demo library serves genuine files."""
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    html = (
        "<html><head><style>@page { size: A4; margin: 2cm; font-family: DejaVu Sans, sans-serif; }"
        "body { font-family: DejaVu Sans, sans-serif; font-size: 11pt; } h1 { font-size: 18pt; color: #14365d; }"
        f"</style></head><body><h1>{escape(title)}</h1>{body}"
        "<p><em>Demo document of the TA Portal; the content is fictitious.</em></p></body></html>"
    )
    return HTML(string=html).write_pdf()


def _topics(*codes: str) -> list[Dimension]:
    frameworks = Framework.objects.latest_versions()
    return list(Dimension.objects.filter(framework__in=frameworks, code__in=codes))


@transaction.atomic
def seed(out) -> None:
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=["manager", "manager_global", "trainer", "counterpart", "counterpart_co", "admin"]
        )
    }
    if "manager" not in users:
        out.write("network: the engagements demo is missing; nothing seeded")
        return
    rng = random.Random(2026)
    network = _network(users)
    meeting = _meeting(network, users, rng)
    webinar = _webinar(network, users)
    _documents(network, meeting, users)
    _experts(users, rng)
    _recommendations(meeting, users)
    certified = _certificates(meeting)
    out.write(
        f"network: 1 network, {NetworkEvent.objects.count()} events "
        f"({meeting.registrations.count()} registered at the annual meeting, {webinar.registrations.count()} at the webinar), "
        f"{Document.objects.count()} documents, {ExpertProfile.objects.filter(opted_in=True).count()} experts, "
        f"{ExternalRecommendation.objects.count()} external recommendations, "
        f"{certified} certificates of attendance of the annual meeting"
    )


def _certificates(meeting) -> int:
    """The annual meeting ran under the demo's programme: its attended participants hold certificates
    of attendance (recorded only: nobody is e-mailed, no PDF is rendered while seeding)."""
    if meeting.programme_id is None:
        meeting.programme = Programme.objects.filter(code=DEMO_PROGRAMME).first()
        meeting.save(update_fields=["programme"])
    if not EventCertificate.objects.filter(registration__event=meeting).exists():
        event_certificates_issue(event=meeting, by=None, deliver=False)
    return EventCertificate.objects.filter(registration__event=meeting, revoked_at__isnull=True).count()


def _network(users) -> Network:
    network = Network.objects.filter(name=NETWORK_NAME).first()
    if network is None:
        network = services.network_create(
            network=Network(
                name=NETWORK_NAME,
                acronym="PCNA",
                description="Regulators, customs, police, prosecutors and industry of the Americas who control precursor chemicals; they meet every year and share documents here.",
            ),
            by=users["manager"],
        )
        network.countries.set(COUNTRIES)
    for username in ("manager_global", "trainer", "counterpart", "counterpart_co"):
        if username in users:
            NetworkMembership.objects.get_or_create(network=network, user=users[username])
    return network


def _event(network, users, fields: dict) -> tuple[NetworkEvent, bool]:
    """The network's event with this title, made for all the demo countries when it does not exist yet."""
    event = NetworkEvent.objects.filter(title=fields["title"]).first()
    if event is not None:
        return event, False
    event = services.event_save(event=NetworkEvent(network=network, **fields), by=users["manager"])
    event.countries.set(COUNTRIES)
    return event, True


def _meeting(network, users, rng) -> NetworkEvent:
    meeting, is_new = _event(network, users, MEETING)
    if not is_new:
        return meeting
    for offset, start, end, title, speakers in AGENDA:
        AgendaItem.objects.create(
            event=meeting,
            day=date(2026, 5, 12 + offset),
            start_time=start,
            end_time=end,
            title=title,
            speakers=speakers,
        )
    numbers = {}
    for kind, text in OUTCOMES:
        numbers[kind] = numbers.get(kind, 0) + 1
        EventOutcome.objects.create(
            event=meeting, kind=kind, number=numbers[kind], text=text, adopted_on=date(2026, 5, 14)
        )
    # Delegations of four to six people per country, spread over their agencies.
    registrations = []
    for code in COUNTRIES:
        people = list(Person.objects.filter(country_id=code, agency__isnull=False).order_by("agency_id", "pk"))
        by_agency = {}
        for person in people:
            by_agency.setdefault(person.agency_id, []).append(person)
        delegation = [group[0] for group in by_agency.values()]
        delegation += rng.sample([p for p in people if p not in delegation], k=min(2, len(people) - len(delegation)))
        for person in delegation[: rng.randint(4, 6)]:
            registrations.append(Registration(event=meeting, person=person, registered_by=users["manager"]))
    for person in Person.objects.filter(user__username__in=["counterpart", "counterpart_co"]):
        if not any(r.person_id == person.pk for r in registrations):
            registrations.append(
                Registration(
                    event=meeting,
                    person=person,
                    role=Registration.ParticipantRole.SPEAKER,
                    registered_by=users["manager"],
                )
            )
    Registration.objects.bulk_create(registrations)
    created = list(meeting.registrations.order_by("pk"))
    services.event_record_attendance(event=meeting, attended_ids=[r.pk for i, r in enumerate(created) if i % 7 != 3])
    # Invitations went out before the meeting.
    meeting.registrations.update(invitation_sent_at=timezone.now(), invitation_sequence=0)
    return meeting


def _webinar(network, users) -> NetworkEvent:
    webinar, is_new = _event(network, users, WEBINAR)
    if not is_new:
        return webinar
    AgendaItem.objects.create(
        event=webinar,
        day=webinar.start_date,
        start_time=time(15, 0),
        end_time=time(16, 30),
        title="Designer precursors: what changed since 2020",
        speakers="Forensic laboratories",
    )
    for person in Person.objects.filter(user__username__in=["counterpart", "counterpart_co"]):
        Registration.objects.get_or_create(
            event=webinar,
            person=person,
            defaults={
                "registered_by": users["manager"],
                "invitation_sent_at": timezone.now(),
                "invitation_sequence": 0,
            },
        )
    return webinar


def _documents(network, meeting, users) -> None:
    manager = users["manager"]
    specs = [
        (
            "Report of the XII Annual Meeting",
            Document.Kind.CONFERENCE_PAPER,
            {"audience": Document.Audience.NETWORK, "audience_network": network},
            COUNTRIES,
            ("trade", "industry"),
            [
                "The meeting gathered delegations of six countries in Lima from 12 to 14 May 2026.",
                "It reviewed trends in diversion, the use of pre-export notifications and cooperation with industry, and adopted three conclusions and three recommendations.",
            ],
        ),
        (
            "Good practices in pre-export notification",
            Document.Kind.GOOD_PRACTICE,
            {"audience": Document.Audience.EVERYONE},
            [],
            ("trade",),
            [
                "Register the competent authority in PEN Online and answer every notification before the deadline.",
                "Check the importer's licence and the plausibility of the quantities against the estimates of legitimate needs.",
            ],
        ),
        (
            "Peru: summary of the regulation on chemical inputs and controlled goods",
            Document.Kind.LEGISLATION,
            {"audience": Document.Audience.COUNTRY, "audience_country_id": "PE"},
            ["PE"],
            ("legal", "licensing"),
            [
                "A summary for national officials of the registration, control and inspection duties of operators.",
                "It lists the obligations of importers, distributors and transporters and the sanctions for breaches.",
            ],
        ),
        (
            "Training module: recognising clandestine laboratory equipment",
            Document.Kind.TRAINING_MATERIAL,
            {"audience": Document.Audience.EVENT, "audience_event": meeting},
            [],
            ("investigation", "forensic", "training"),
            [
                "Material shown to the participants of the annual meeting's working group on enforcement.",
                "It covers glassware, reactors, solvents recovery and the safety risks of dismantling a laboratory.",
            ],
        ),
        (
            "Programme notes on delegations and funding (managers only)",
            Document.Kind.OTHER,
            {"audience": Document.Audience.MANAGERS},
            COUNTRIES,
            (),
            ["Internal notes of the programme managers on the funding of delegations for the next meeting."],
        ),
    ]
    for title, kind, audience, countries, topic_codes, paragraphs in specs:
        if Document.objects.filter(title=title).exists():
            continue
        document = Document(
            title=title,
            kind=kind,
            language="en",
            published_on=date(2026, 5, 20),
            authors="PCNA coordination",
            **audience,
        )
        uploaded = SimpleUploadedFile(
            f"{title[:60].replace(':', '').replace(' ', '-').lower()}.pdf",
            _pdf(title, paragraphs),
            content_type="application/pdf",
        )

        def save_m2m(document=document, countries=countries, topic_codes=topic_codes):
            document.countries.set(countries)
            document.topics.set(_topics(*topic_codes))
            document.events.set([meeting])

        services.document_create(document=document, uploaded=uploaded, by=manager, m2m_save=save_m2m)
    # A replaced document keeps its first version.
    guide = Document.objects.filter(title="Good practices in pre-export notification").first()
    if guide is not None and guide.versions.count() == 1:
        paragraphs = [
            "Register the competent authority in PEN Online and answer every notification before the deadline.",
            "Check the importer's licence and the plausibility of the quantities against the estimates of legitimate needs.",
            "New in this version: how to use PICS to share incidents of suspicious shipments.",
        ]
        services.document_replace(
            document=guide,
            uploaded=SimpleUploadedFile(
                "good-practices-pen-v2.pdf", _pdf(guide.title, paragraphs), content_type="application/pdf"
            ),
            by=manager,
            note="Adds a section on PICS incidents.",
        )


def _experts(users, rng) -> None:
    if ExpertProfile.objects.exists():
        return
    topic_pool = list(Dimension.objects.filter(framework__in=Framework.objects.latest_versions()))
    manager = users["manager"]
    for code in COUNTRIES:
        # One expert from each of three agencies of the country.
        people, seen_agencies = [], set()
        for person in Person.objects.filter(country_id=code, agency__isnull=False, user__isnull=True).order_by("pk"):
            if person.agency_id not in seen_agencies and len(people) < 3:
                people.append(person)
                seen_agencies.add(person.agency_id)
        for index, person in enumerate(people):
            profile = services.expert_profile_save(
                profile=ExpertProfile(
                    person=person,
                    opted_in=True,
                    show_contact=index != 1,  # every country has someone who keeps their contact hidden
                    phone=f"+51 1 555 {rng.randint(1000, 9999)}" if code == "PE" else "",
                    expertise=rng.choice(EXPERTISE),
                    languages="es, en",
                ),
                by=manager,
            )
            profile.topics.set(rng.sample(topic_pool, k=min(2, len(topic_pool))))
    own = Person.objects.filter(user__username="counterpart").first()
    if own is not None:
        services.expert_profile_save(
            profile=ExpertProfile(
                person=own,
                opted_in=True,
                show_contact=True,
                expertise="national coordination, follow-up of recommendations",
                languages="es, en, qu",
            ),
            by=users["counterpart"],
        )


def _recommendations(meeting, users) -> None:
    manager = users["manager_global"]
    for row in EXTERNAL_RECOMMENDATIONS:
        fields = row_fields(EXTERNAL_RECOMMENDATION_FIELDS, row)
        topic = _topics(fields.pop("topic_code"))
        code, source = fields["country_id"], fields["source"]
        if ExternalRecommendation.objects.filter(
            country_id=code, source=source, reference=fields["reference"]
        ).exists():
            continue
        engagement = Engagement.objects.filter(country_id=code).order_by("-start_date").first()
        services.external_recommendation_save(
            recommendation=ExternalRecommendation(
                **fields,
                topic=topic[0] if topic else None,
                engagement=engagement,
                review_cycle_months=24 if source == "cicad_mem" else 12,
            ),
            by=manager,
        )
    if not ExternalRecommendation.objects.filter(event=meeting).exists():
        services.external_recommendation_save(
            recommendation=ExternalRecommendation(
                country_id="PE",
                source=ExternalRecommendation.Source.NETWORK_MEETING,
                round=MEETING_TITLE,
                date=meeting.end_date,
                reference="Rec. 1",
                text=OUTCOMES[3][1],
                theme="Cooperation with industry",
                topic=(_topics("industry") or [None])[0],
                event=meeting,
                engagement=Engagement.objects.filter(country_id="PE").order_by("-start_date").first(),
                review_cycle_months=12,
            ),
            by=manager,
        )
