"""Demo data: a believable world of countries, agencies, people, engagements and one user per role.

Each portal app may have a ``demo.py`` with ``seed(out)``; ``manage.py seed_demo`` runs them in
app order, so later apps build on what earlier ones made. Every name here is fictitious.
"""

import io
import random
import unicodedata
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image
from PIL import ImageDraw

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_role
from ta_portal.demo import row_fields

from .certificates import programme_certificate_save
from .models import Agency
from .models import Engagement
from .models import Person
from .models import Programme
from .services import engagement_save

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 (printed by `make run`; demo only)

# (username, role, countries, first name, last name). No language is stored for them: each demo user
# sees the browser's language until they choose one with the switcher (which stores it).
DEMO_USERS = [
    ("admin", Role.ADMIN, [], "Ada", "Admin"),
    ("manager", Role.MANAGER, ["PE", "CO", "BO", "EC"], "María", "Gestora"),
    ("manager_global", Role.MANAGER, [], "Gabriel", "Global"),
    ("trainer", Role.TRAINER, ["PE", "CO"], "Tomás", "Formador"),
    ("counterpart", Role.COUNTERPART, ["PE"], "Rosa", "Quispe"),
    ("counterpart_co", Role.COUNTERPART, ["CO"], "Camilo", "Restrepo"),
    ("viewer", Role.VIEWER, ["PE", "CO"], "Victoria", "Donante"),
]

# (country, name, acronym, kind)
AGENCIES = [
    ("PE", "Superintendencia Nacional de Aduanas y de Administración Tributaria", "SUNAT", Agency.Kind.CUSTOMS),
    ("PE", "Dirección Antidrogas de la Policía Nacional", "DIRANDRO", Agency.Kind.POLICE),
    ("PE", "Fiscalía Especializada en Delitos de Tráfico Ilícito de Drogas", "FEDTID", Agency.Kind.PROSECUTION),
    ("PE", "Dirección General de Medicamentos, Insumos y Drogas", "DIGEMID", Agency.Kind.HEALTH),
    ("PE", "Comisión Nacional para el Desarrollo y Vida sin Drogas", "DEVIDA", Agency.Kind.REGULATORY),
    ("CO", "Subdirección de Control y Fiscalización de Sustancias Químicas", "SCFSQ", Agency.Kind.REGULATORY),
    ("CO", "Dirección de Impuestos y Aduanas Nacionales", "DIAN", Agency.Kind.CUSTOMS),
    ("CO", "Dirección de Antinarcóticos de la Policía Nacional", "DIRAN", Agency.Kind.POLICE),
    ("CO", "Fiscalía General de la Nación", "FGN", Agency.Kind.PROSECUTION),
    ("CO", "Instituto Nacional de Medicina Legal y Ciencias Forenses", "INMLCF", Agency.Kind.FORENSIC),
    ("CO", "Consejo Colombiano de la Industria Química", "CCIQ", Agency.Kind.INDUSTRY),
    ("BO", "Dirección General de Sustancias Controladas", "DGSC", Agency.Kind.REGULATORY),
    ("BO", "Aduana Nacional", "AN", Agency.Kind.CUSTOMS),
    ("BO", "Fuerza Especial de Lucha Contra el Narcotráfico", "FELCN", Agency.Kind.POLICE),
    ("BO", "Ministerio Público", "MP", Agency.Kind.PROSECUTION),
    ("EC", "Agencia Nacional de Regulación, Control y Vigilancia Sanitaria", "ARCSA", Agency.Kind.HEALTH),
    ("EC", "Servicio Nacional de Aduana del Ecuador", "SENAE", Agency.Kind.CUSTOMS),
    ("EC", "Dirección Nacional de Investigación Antidrogas", "DNIA", Agency.Kind.POLICE),
    ("EC", "Laboratorio de Criminalística y Ciencias Forenses", "LCCF", Agency.Kind.FORENSIC),
    ("PY", "Secretaría Nacional Antidrogas", "SENAD", Agency.Kind.POLICE),
    ("PY", "Dirección Nacional de Aduanas", "DNA", Agency.Kind.CUSTOMS),
    ("PY", "Dirección Nacional de Vigilancia Sanitaria", "DINAVISA", Agency.Kind.HEALTH),
    ("DO", "Dirección Nacional de Control de Drogas", "DNCD", Agency.Kind.POLICE),
    ("DO", "Dirección General de Aduanas", "DGA", Agency.Kind.CUSTOMS),
    ("DO", "Procuraduría General de la República", "PGR", Agency.Kind.PROSECUTION),
]

FIRST_NAMES = {
    "female": [
        "Ana",
        "Lucía",
        "Carmen",
        "Rosa",
        "Gabriela",
        "Patricia",
        "Valeria",
        "Daniela",
        "Marisol",
        "Elena",
        "Sofía",
        "Natalia",
        "Paola",
        "Lorena",
        "Claudia",
    ],
    "male": [
        "Jorge",
        "Luis",
        "Carlos",
        "Miguel",
        "José",
        "Andrés",
        "Diego",
        "Fernando",
        "Ricardo",
        "Juan",
        "Óscar",
        "Raúl",
        "Sergio",
        "Héctor",
        "Pablo",
    ],
}
LAST_NAMES = [
    "Pérez",
    "García",
    "Rodríguez",
    "Mamani",
    "Quispe",
    "Torres",
    "Flores",
    "Vargas",
    "Castillo",
    "Rojas",
    "Gómez",
    "Díaz",
    "Morales",
    "Herrera",
    "Chávez",
    "Ramírez",
    "Núñez",
    "Suárez",
    "Mendoza",
    "Vega",
]
POSITIONS = [
    "Inspector",
    "Analyst",
    "Head of unit",
    "Legal adviser",
    "Customs officer",
    "Investigator",
    "Chemist",
    "Licensing officer",
    "Prosecutor",
    "Coordinator",
]

# The columns of ENGAGEMENTS, as Engagement fields (country, title, phase, start date).
ENGAGEMENT_FIELDS = "country_id title phase start_date"
ENGAGEMENTS = [
    ("PE", "Peru: strengthening control of chemical precursors", Engagement.Phase.FOLLOW_UP, date(2024, 3, 4)),
    ("CO", "Colombia: inter-agency precursor control", Engagement.Phase.CAPACITY_BUILDING, date(2025, 2, 10)),
    ("BO", "Bolivia: national assessment and roundtable", Engagement.Phase.ROUNDTABLE, date(2025, 9, 1)),
    ("EC", "Ecuador: assessment of precursor controls", Engagement.Phase.ASSESSMENT, date(2026, 4, 6)),
    ("PY", "Paraguay: technical assistance on pre-precursors", Engagement.Phase.PLANNING, date(2026, 10, 1)),
    ("DO", "Dominican Republic: precursor control review", Engagement.Phase.CLOSED, date(2023, 1, 16)),
]


def _people_for(rng: random.Random, agency: Agency, count: int) -> list[Person]:
    people = []
    for _ in range(count):
        sex = rng.choices(["female", "male", "undisclosed"], weights=[48, 48, 4])[0]
        first = rng.choice(FIRST_NAMES["female" if sex == "female" else "male"])
        last = f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
        people.append(
            Person(
                full_name=f"{first} {last}",
                sex=sex,
                position=rng.choice(POSITIONS),
                agency=agency,
                country_id=agency.country_id,
            )
        )
    return people


# Code: name, funder, first and last year (each programme runs from 1 January to 31 December).
PROGRAMMES = {
    "cicad-precursors": ("CICAD Chemical Precursor Control TA Programme", "OAS/CICAD", 2023, 2027),
    "copolad-iii-precursors": ("COPOLAD III: precursor control line", "European Union", 2022, 2026),
}


@transaction.atomic
def seed(out) -> None:
    rng = random.Random(1988)
    # The demo's engagements run under the first programme; the second shows a list of several.
    programme, *_others = [
        Programme.objects.get_or_create(
            code=code,
            defaults={"name": name, "funder": funder, "start_date": date(first, 1, 1), "end_date": date(last, 12, 31)},
        )[0]
        for code, (name, funder, first, last) in PROGRAMMES.items()
    ]
    for code, name, acronym, kind in AGENCIES:
        agency, created = Agency.objects.get_or_create(
            country_id=code, name=name, defaults={"acronym": acronym, "kind": kind}
        )
        if created:
            people = _people_for(rng, agency, rng.randint(8, 14))
            for person in people:
                # ASCII only: an address such as andrés.1@… is not a valid e-mail address.
                first = unicodedata.normalize("NFKD", person.full_name.split()[0].lower())
                first = first.encode("ascii", "ignore").decode()
                person.email = f"{first}.{rng.randint(100, 999)}.{acronym.lower()}@example.org"
            Person.objects.bulk_create(_unique_emails(people))
    users = {}
    for username, role, countries, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.save()
        user_set_role(user=user, role=role, country_codes=countries)
        users[username] = user
    for row in ENGAGEMENTS:
        fields = row_fields(ENGAGEMENT_FIELDS, row)
        if Engagement.objects.filter(title=fields["title"]).exists():
            continue
        closed = fields["phase"] == Engagement.Phase.CLOSED
        engagement = engagement_save(
            engagement=Engagement(
                **fields,
                programme=programme,
                end_date=date(fields["start_date"].year + 1, 12, 31) if closed else None,
                description="Technical assistance on the control of chemical precursors.",
            ),
            by=users["manager_global"],
        )
        code = fields["country_id"]
        engagement.managers.add(users["manager"] if code in {"PE", "CO", "BO", "EC"} else users["manager_global"])
        focal = Person.objects.filter(country_id=code).order_by("pk")[:2]
        engagement.focal_points.add(*focal)
    _link_counterparts(users)
    _certificate_issuer(programme)
    out.write(f"engagements: {Engagement.objects.count()} engagements, {Person.objects.count()} people")


def _certificate_issuer(programme: Programme) -> None:
    """What the programme's certificates print: its issuer, two signatories and a logo (drawn here)."""
    if programme.certificate_issuer:
        return
    logo = io.BytesIO()
    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 112, 112), fill=(11, 61, 99))
    draw.ellipse((30, 30, 90, 90), outline="white", width=8)
    draw.rectangle((130, 40, 350, 56), fill=(11, 61, 99))
    draw.rectangle((130, 68, 300, 80), fill=(120, 140, 160))
    image.save(logo, format="PNG")
    programme_certificate_save(
        programme=programme,
        issuer="Organization of American States · Inter-American Drug Abuse Control Commission (CICAD)",
        signatories=[
            {"name": "María Fernanda Ortiz", "title": "Executive Secretary, CICAD"},
            {"name": "Jorge Luis Salinas", "title": "Coordinator, chemical precursor control programme"},
        ],
        logo=SimpleUploadedFile("cicad-logo.png", logo.getvalue(), content_type="image/png"),
    )


def _unique_emails(people: list[Person]) -> list[Person]:
    seen = set(Person.objects.exclude(email="").values_list("email", flat=True))
    unique = []
    for person in people:
        if person.email in seen:
            person.email = ""
        seen.add(person.email)
        unique.append(person)
    return unique


def _link_counterparts(users: dict[str, User]) -> None:
    """Give each counterpart user a person record in their country (their focal-point identity)."""
    for username, code in (("counterpart", "PE"), ("counterpart_co", "CO")):
        user = users[username]
        if Person.objects.filter(user=user).exists():
            continue
        agency = Agency.objects.filter(country_id=code).order_by("pk").first()
        Person.objects.create(
            full_name=user.get_full_name(),
            sex=Person.Sex.FEMALE if username == "counterpart" else Person.Sex.MALE,
            email=user.email,
            position="National focal point",
            agency=agency,
            country_id=code,
            user=user,
        )
