"""Factories for the network layer. Documents are made through the real upload service."""

import io
import zipfile
from datetime import date

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from network import services
from network.models import Document
from network.models import ExpertProfile
from network.models import ExternalRecommendation
from network.models import Network
from network.models import NetworkEvent
from network.models import NetworkMembership
from network.models import Registration
from tests.factories import PersonFactory


def pdf_bytes(text: str = "Library test document") -> bytes:
    """A minimal, well-formed one-page PDF (enough for the content check and for PDF readers)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(*, extra: dict[str, bytes] | None = None) -> bytes:
    """A small Office Open XML word-processing package (the parts that identify it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(name: str = "paper.pdf", content: bytes | None = None, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type=content_type)


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Network {n}")

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):  # noqa: N805
        for user in extracted or []:
            NetworkMembership.objects.create(network=obj, user=user)

    @factory.post_generation
    def coordinators(obj, create, extracted, **kwargs):  # noqa: N805
        for user in extracted or []:
            NetworkMembership.objects.create(network=obj, user=user, is_coordinator=True)


class EventFactory(factory.django.DjangoModelFactory):
    """An event hosted in PE with PE participating, unless ``host_country``/``countries`` say otherwise."""

    class Meta:
        model = NetworkEvent
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Meeting {n}")
    kind = NetworkEvent.Kind.ANNUAL_MEETING
    start_date = date(2026, 5, 12)
    end_date = date(2026, 5, 14)
    city = "Lima"
    host_country_id = "PE"

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.countries.set(extracted if extracted is not None else [obj.host_country_id or "PE"])

    @factory.post_generation
    def organisers(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.organisers.set(extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)


def make_document(
    *,
    by,
    title: str = "Document",
    audience: str = Document.Audience.EVERYONE,
    content=None,
    name: str = "paper.pdf",
    **fields,
) -> Document:
    """A library document with one version, made through the upload service."""
    document = Document(title=title, audience=audience, **fields)
    return services.document_create(document=document, uploaded=upload(name, content), by=by)


class ExpertProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertProfile

    person = factory.SubFactory(PersonFactory)
    opted_in = True
    show_contact = False
    phone = factory.Sequence(lambda n: f"+51 1 555 {1000 + n}")
    expertise = "pre-export notifications, inspections"


class ExternalRecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalRecommendation

    country_id = "PE"
    source = ExternalRecommendation.Source.CICAD_MEM
    round = "Eighth evaluation round (2019–2023)"
    date = date(2024, 6, 20)
    reference = factory.Sequence(lambda n: f"Rec. {n}")
    text = factory.Sequence(lambda n: f"Strengthen the control of chemical precursors, point {n}.")
    theme = "Control measures"
