"""Believable programme data at scale, for the benchmark and for trying the portal with ten years of work.

``manage.py generate_scale_data --factor 1`` (a thin command of the outcomes app runs this module)
builds, in proportion to the factor: 35 countries,
350 engagements, 3 500 training sessions, 100 000 exam results, 20 000 measures and 100 000
status updates, with everything around them that makes the pages believable (agencies, people,
users and their roles, assessments with scores, findings and recommendations, roundtables with
attendance, follow-up schedules, rounds with their measures, the coordination questionnaire,
indicators, programme targets). Dates spread over the ten years before ``--today``.

It writes with bulk inserts in one transaction, into an otherwise empty portal (reference data
only: countries, substances, the default framework); it refuses a database that already holds
engagements. Engagements never fall below 100, so a list page of 100 rows exists at every factor.

The audit trail: its PostgreSQL triggers write an entry for every row of a covered table,
whatever writes it, and offer no switch for bulk loads. At this volume they cost about 1 ms a
row, most of the run (ten minutes for factor 1 on a busy two-core machine). Generated data is
fiction nobody did, so by default the load leaves no per-row entries: inside its one transaction
the command disables the ``ta_audit`` trigger of each covered table (``ALTER TABLE … DISABLE
TRIGGER``: table-owner rights, no superuser), loads, and enables them again before committing.
DDL is transactional in PostgreSQL, so no other session ever sees a table without its trigger
(their writes to those tables wait for the load to finish). ``--with-audit-trail`` keeps the
triggers on: every row gets its entry, attributed to no user with the context
``generate_scale_data``, at the cost above.

Exam score changes (``ScoreChange``), per-day attendance, evidence files and e-mail logs are not
generated: no page of the benchmark reads them.
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect_right
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time as dtime
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.db import connection
from django.db import models
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from accounts.models import User
from accounts.roles import Role
from assessments.models import Assessment
from assessments.models import Dimension
from assessments.models import DimensionScore
from assessments.models import EvidenceMeeting
from assessments.models import Finding
from assessments.models import Framework
from assessments.models import LegalInstrument
from assessments.models import Recommendation
from assessments.models import Roundtable
from assessments.models import RoundtableAttendance
from audit.context import acting_as
from audit.triggers import TRIGGER_NAME
from audit.triggers import tables_with_trigger
from engagements.models import Agency
from engagements.models import Country
from engagements.models import Engagement
from engagements.models import Person
from engagements.models import PhaseChange
from engagements.models import Programme
from followups.models import CoordinationResponse
from followups.models import FollowupRound
from followups.models import FollowupSchedule
from followups.models import Indicator
from followups.models import IndicatorValue
from followups.models import Measure
from followups.models import RoundMeasure
from followups.models import StatusUpdate
from outcomes.models import ActivityTarget
from outcomes.models import OutcomeTarget
from outcomes.models import ProgrammeObjective
from ta_portal import datacache
from trainings.models import Course
from trainings.models import Enrolment
from trainings.models import TrainingSession

ENGAGEMENT_FLOOR = 100
SCALE_PROGRAMME = "precursor-control-10y"

# At factor 1.
PER_FACTOR = {
    "engagements": 350,
    "sessions": 3_500,
    "results": 100_000,
    "measures": 20_000,
    "updates": 100_000,
}
COUNTRY_COUNT = 35

# fmt: off
FIRST_NAMES = {
    "female": [
        "Ana", "María", "Lucía", "Carmen", "Rosa", "Daniela", "Gabriela", "Patricia", "Valeria", "Camila",
        "Fernanda", "Juliana", "Mariana", "Paola", "Sofía", "Natalia", "Claudia", "Adriana", "Beatriz", "Elena",
        "Janelle", "Keisha", "Marlene", "Nadège", "Roseline", "Sandra", "Tatiana", "Yolanda", "Ximena", "Inés",
    ],
    "male": [
        "Juan", "Carlos", "José", "Luis", "Miguel", "Jorge", "Andrés", "Diego", "Ricardo", "Fernando",
        "Rafael", "Pedro", "Alejandro", "Sergio", "Eduardo", "Roberto", "Gustavo", "Marcelo", "Hugo", "Óscar",
        "Dwayne", "Jean", "Marvin", "Ronaldo", "Tiago", "Winston", "Kevin", "Esteban", "Mauricio", "Raúl",
    ],
}
SURNAMES = [
    "García", "Rodríguez", "Martínez", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores",
    "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Gutiérrez", "Ortiz", "Chávez", "Ramos",
    "Silva", "Souza", "Oliveira", "Santos", "Pereira", "Costa", "Almeida", "Castillo", "Vargas", "Rojas",
    "Mendoza", "Herrera", "Medina", "Aguilar", "Vega", "Campbell", "Williams", "Joseph", "Pierre", "Baptiste",
]
AGENCY_KINDS = [
    # (kind, name pattern, acronym pattern, weight of participants)
    ("regulatory", "National Chemical Control Directorate", "DNCQ", 3),
    ("customs", "National Customs Service", "ADUANA", 5),
    ("police", "Anti-Drug Police Directorate", "DIRAN", 5),
    ("prosecution", "Office of the Prosecutor for Drug Offences", "FISCAL", 2),
    ("health", "Pharmaceutical Regulatory Agency", "ARP", 2),
    ("forensic", "National Forensic Laboratory", "LABF", 1),
    ("industry", "Chemical Industry Association", "ASIQ", 1),
    ("other", "National Drug Commission", "CND", 2),
]
COURSES = [
    ("Identification of precursor chemicals and field testing", "field-testing", ["forensic", "inspection"]),
    ("Risk profiling of chemical shipments for customs", "customs-risk", ["import-export", "risk"]),
    ("Pre-export notifications with PEN Online", "pen-online", ["import-export", "international"]),
    ("Inspection of chemical operators", "operator-inspection", ["inspection", "licensing"]),
    ("Investigation and backtracking of diverted chemicals", "backtracking", ["investigation"]),
    ("Safe handling and disposal of seized chemicals", "seized-chemicals", ["disposal"]),
    ("Estimates of legitimate requirements", "estimates", ["estimates"]),
    ("Non-scheduled substances and designer precursors", "non-scheduled", ["legal", "risk"]),
    ("Cooperation with the chemical industry", "industry-cooperation", ["industry"]),
    ("Licensing and registration of operators", "licensing", ["licensing"]),
    ("Inter-agency coordination on precursor control", "coordination", ["institutional"]),
    ("Clandestine laboratory dismantling", "clandestine-labs", ["investigation", "disposal"]),
    ("Precursor legislation: drafting and updating control lists", "legislation", ["legal"]),
    ("Training of trainers on precursor control", "trainers", ["training"]),
]
FINDING_TEXTS = [
    "The control list has not been updated since it was adopted and omits several substances the INCB flags.",
    "Customs officers at the main ports have no risk profiles specific to chemical shipments.",
    "Inspections of operators follow no annual plan and rarely compare declared and actual stocks.",
    "Pre-export notifications are answered late or not at all, and nobody is designated to reply.",
    "Seized chemicals are stored for years in police depots without a disposal procedure.",
    "The agencies meet only when a case requires it; no inter-agency committee works.",
    "Estimates of legitimate requirements are not prepared, so unusual imports go unnoticed.",
    "The forensic laboratory lacks reference standards for the identification of precursors.",
    "Operators' registration is on paper and cannot be checked by customs in real time.",
    "A good practice: suspicious orders are reported by the largest distributors through a hotline.",
    "Prosecutors have few cases on diversion because backtracking investigations are not opened.",
    "Training is ad hoc and depends on donors; no curriculum exists for new inspectors.",
]
MEASURE_TEXTS = [
    "Adopt a regulation updating the national control list",
    "Set up risk profiles for chemical shipments at the main ports",
    "Adopt an annual risk-based inspection plan for operators",
    "Designate a focal point to answer pre-export notifications within 15 days",
    "Adopt a procedure for the safe disposal of seized chemicals",
    "Reactivate the inter-agency committee on chemical inputs",
    "Prepare and publish the estimates of legitimate requirements",
    "Equip the forensic laboratory with reference standards",
    "Put the operators' register online for customs and police",
    "Sign a memorandum on suspicious-order reporting with the industry association",
    "Open backtracking investigations for every significant seizure",
    "Adopt a training curriculum for new inspectors",
]
UPDATE_TEXTS = [
    "The draft was discussed with the agencies concerned and sent for legal review.",
    "Terms of reference were agreed and the working group met twice.",
    "The procedure was adopted by resolution and staff were briefed.",
    "Budget was requested for next year; work continues with existing staff.",
    "A pilot ran at the main port; results are being evaluated.",
    "No progress this period: the responsible unit was reorganised.",
]
# fmt: on
INDICATORS = [("Pre-export notifications answered", "notifications"), ("Inspections of operators", "inspections")]


def _now_utc(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, dtime(hour), tzinfo=UTC)


@contextmanager
def explicit_timestamps(*model_classes):
    """Let bulk inserts keep the dates we give (history spread over years), not "now"."""
    saved = []
    for model in model_classes:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def update_from_values(model, columns: dict[str, str], rows: list[tuple], chunk: int = 5000) -> None:
    """Set ``columns`` (name → SQL type to cast the value to, or "") of many rows of ``model``, each
    row given as (id, *values): one UPDATE … FROM (VALUES …) per chunk, not a statement per row."""
    table = model._meta.db_table
    names = list(columns)
    row_values = "(%s, " + ", ".join(f"%s::{cast}" if cast else "%s" for cast in columns.values()) + ")"
    assignments = ", ".join(f'"{name}" = v."{name}"' for name in names)
    aliases = ", ".join(f'"{name}"' for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"')
        for i in range(0, len(rows), chunk):
            part = rows[i : i + chunk]
            values = ", ".join([row_values] * len(part))
            cursor.execute(
                f'UPDATE "{table}" AS t SET {assignments} FROM (VALUES {values}) AS v(id, {aliases}) '  # noqa: S608
                "WHERE t.id = v.id",
                [value for row in part for value in row],
            )


class Generator:
    def __init__(self, *, factor: float, seed: int, today: date, password: str, out, min_engagements: int):
        self.factor = factor
        self.rng = random.Random(seed)
        self.today = today
        self.now = _now_utc(today, 9)
        self.start = date(today.year - 10, today.month, 1)
        self.password_hash = make_password(password)
        self.out = out
        self.counts: dict[str, int] = {}
        self.target = {name: max(1, round(n * factor)) for name, n in PER_FACTOR.items()}
        self.target["engagements"] = max(min_engagements, self.target["engagements"])

    # ---- helpers -------------------------------------------------------------------------

    def bulk(self, model, objects: list, batch_size: int = 2000) -> list:
        auto = [f for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField | models.DateField)]
        for obj in objects:
            for field in auto:
                if getattr(obj, field.attname) is None and not field.null:
                    setattr(obj, field.attname, self.now)
        with explicit_timestamps(model):
            created = model.objects.bulk_create(objects, batch_size=batch_size)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(created)
        return created

    def between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def log(self, message: str) -> None:
        self.out.write(f"  {message}")

    # ---- the run -------------------------------------------------------------------------

    def run(self) -> dict[str, int]:

        steps = [
            ("countries, programmes, users", self.make_reference),
            ("agencies", self.make_agencies),
            ("engagements", self.make_engagements),
            ("assessments and roundtables", self.make_assessments),
            ("training sessions", self.make_sessions),
            ("people and exam results", self.make_results),
            ("measures, rounds and status updates", self.make_followup),
            ("programme targets", self.make_targets),
        ]
        for label, step in steps:
            started = time.monotonic()
            step()
            self.log(f"{label}: {time.monotonic() - started:.1f} s")
        # Fresh tables have no planner statistics until autovacuum comes by: gather them now.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return self.counts

    # ---- reference: countries, programmes, users ---------------------------------------------

    def make_reference(self) -> None:

        oas = list(Country.objects.filter(oas_member=True).exclude(code__in=["US", "CA"]).order_by("code"))
        others = list(
            Country.objects.filter(region__in=["Americas", "Europe"])
            .exclude(pk__in=[c.pk for c in oas])
            .exclude(code__in=["US", "CA"])
            .order_by("code")
        )
        self.countries = (oas + others)[:COUNTRY_COUNT]
        if len(self.countries) < COUNTRY_COUNT:
            raise CommandError("The countries reference data is missing: run migrate first.")
        self.codes = [c.code for c in self.countries]
        self.country_names = {c.code: c.name for c in self.countries}
        self.programme = Programme.objects.create(
            name="Precursor control in the Americas, 10-year programme",
            code=SCALE_PROGRAMME,
            funder="Donor consortium",
            description="Assessments, roundtables, training and follow-up of precursor control in 35 countries.",
            start_date=self.start,
            end_date=date(self.start.year + 10, 12, 31),
        )
        self.small_programme = Programme.objects.create(
            name="Caribbean maritime precursor interdiction",
            code="caribbean-maritime",
            funder="Regional security fund",
            start_date=self.start + timedelta(days=3 * 365),
        )
        users, memberships = [], []

        def user(username, first, last, role, countries):
            users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@scale.example.org",
                    password=self.password_hash,
                    is_active=True,
                    date_joined=self.now,
                )
            )
            for code in countries or [None]:
                memberships.append((username, role, code))

        user("scale_admin", "Alex", "Admin", Role.ADMIN, None)
        user("scale_manager", "Morgan", "Programme", Role.MANAGER, None)
        for i in range(3):
            user(f"scale_viewer{i + 1}", "Dana", f"Donor {i + 1}", Role.VIEWER, None)
        for code in self.codes:
            low = code.lower()
            user(f"manager_{low}", "Project", f"Manager {code}", Role.MANAGER, [code])
            for i in (1, 2):
                user(f"counterpart_{low}_{i}", "Focal", f"Point {code} {i}", Role.COUNTERPART, [code])
        trainer_count = max(4, min(30, round(30 * self.factor**0.5)))
        self.trainer_countries = {}
        for i in range(trainer_count):
            countries = self.rng.sample(self.codes, 4)
            user(f"trainer{i + 1:02d}", "Trainer", f"{i + 1:02d}", Role.TRAINER, countries)
            self.trainer_countries[f"trainer{i + 1:02d}"] = countries
        created = {u.username: u for u in self.bulk(User, users)}
        self.bulk(
            Membership,
            [
                Membership(user=created[name], role=role, country_id=code, created_at=self.now)
                for name, role, code in memberships
            ],
        )
        self.users = created
        self.country_manager = {code: created[f"manager_{code.lower()}"] for code in self.codes}
        self.trainers_by_country = defaultdict(list)
        for name, countries in self.trainer_countries.items():
            for code in countries:
                self.trainers_by_country[code].append(created[name])

    def make_agencies(self) -> None:

        agencies = []
        for code in self.codes:
            for kind, name, acronym, _weight in AGENCY_KINDS:
                agencies.append(Agency(country_id=code, name=name, acronym=f"{acronym}-{code}", kind=kind))
        created = self.bulk(Agency, agencies)
        weights = {kind: weight for kind, _n, _a, weight in AGENCY_KINDS}
        self.agencies = defaultdict(list)
        for agency in created:
            self.agencies[agency.country_id].append((agency, weights[agency.kind]))

    def pick_agency(self, code: str):
        choices = self.agencies[code]
        return self.rng.choices([a for a, _w in choices], weights=[w for _a, w in choices])[0]

    # ---- engagements -----------------------------------------------------------------------

    def make_engagements(self) -> None:

        n = self.target["engagements"]
        span = (self.today - self.start).days
        plans = []
        for i in range(n):
            code = self.codes[i % len(self.codes)]
            # Engagements start all through the ten years, a few more in the middle years.
            start = self.start + timedelta(days=int(span * min(0.97, self.rng.betavariate(1.3, 1.2))))
            plans.append((code, start))
        engagements = []
        self.plan = {}
        for code, start in plans:
            age = (self.today - start).days
            closed = age > 6 * 365 and self.rng.random() < 0.55
            end = None
            if closed:
                end = min(self.today - timedelta(days=30), start + timedelta(days=self.rng.randint(5 * 365, 7 * 365)))
            programme = self.programme if self.rng.random() < 0.92 else self.small_programme
            if programme is self.small_programme and start < programme.start_date:
                programme = self.programme
            year = start.year
            title = self.rng.choice(
                [
                    f"Technical assistance on precursor control, {self.country_names[code]} {year}",
                    f"National precursor control assessment and follow-up, {self.country_names[code]} {year}",
                    f"Strengthening chemical control capacities, {self.country_names[code]} {year}",
                ]
            )
            engagement = Engagement(
                country_id=code,
                title=title,
                programme=programme,
                description="Assessment of the national precursor control system, a roundtable with the "
                "agencies, training of officials and follow-up of the agreed measures.",
                start_date=start,
                end_date=end,
                created_at=_now_utc(start),
                updated_at=_now_utc(end or start),
            )
            engagements.append(engagement)
        engagements = self.bulk(Engagement, engagements)
        # Counterpart focal points: one official per engagement, from the regulatory authority.
        focal = []
        for engagement in engagements:
            agency = self.agencies[engagement.country_id][0][0]
            focal.append(
                Person(
                    full_name=f"{self.rng.choice(FIRST_NAMES['female'] + FIRST_NAMES['male'])} "
                    f"{self.rng.choice(SURNAMES)} {self.rng.choice(SURNAMES)}",
                    sex=self.rng.choice(["female", "male"]),
                    email=f"focal.{engagement.pk}@{engagement.country_id.lower()}.gov.example",
                    position="Head of chemical control",
                    agency=agency,
                    country_id=engagement.country_id,
                    created_at=_now_utc(engagement.start_date),
                )
            )
        focal = self.bulk(Person, focal)
        Engagement.focal_points.through.objects.bulk_create(
            [
                Engagement.focal_points.through(engagement_id=e.pk, person_id=p.pk)
                for e, p in zip(engagements, focal, strict=True)
            ]
        )
        Engagement.managers.through.objects.bulk_create(
            [
                Engagement.managers.through(engagement_id=e.pk, user_id=self.country_manager[e.country_id].pk)
                for e in engagements
            ]
        )
        self.engagements = engagements
        for engagement in engagements:
            self.plan[engagement.pk] = {"engagement": engagement}
        self.focal = {e.pk: p for e, p in zip(engagements, focal, strict=True)}

    def finish_phases(self) -> None:
        """The phase each engagement reached, and its history, once its activity is known."""

        changes, phases = [], {}
        for engagement in self.engagements:
            plan = self.plan[engagement.pk]
            steps = [("planning", engagement.start_date)]
            if plan.get("assessment_start"):
                steps.append(("assessment", plan["assessment_start"]))
            if plan.get("roundtable"):
                steps.append(("roundtable", plan["roundtable"]))
            if plan.get("first_session"):
                steps.append(("capacity_building", max(plan["first_session"], steps[-1][1])))
            if plan.get("first_round"):
                steps.append(("follow_up", max(plan["first_round"], steps[-1][1])))
            if engagement.end_date:
                steps.append(("closed", max(engagement.end_date, steps[-1][1])))
            previous = ""
            for phase, day in steps[1:]:
                changes.append(
                    PhaseChange(
                        engagement_id=engagement.pk,
                        from_phase=previous or "planning",
                        to_phase=phase,
                        changed_by=self.country_manager[engagement.country_id],
                        changed_at=_now_utc(day, 15),
                    )
                )
                previous = phase
            phases[engagement.pk] = steps[-1][0]
        self.bulk(PhaseChange, changes)
        by_phase = defaultdict(list)
        for pk, phase in phases.items():
            by_phase[phase].append(pk)
        for phase, pks in by_phase.items():
            Engagement.objects.filter(pk__in=pks).update(phase=phase)

    # ---- assessments -----------------------------------------------------------------------

    def make_assessments(self) -> None:

        framework = Framework.objects.latest_versions().filter(code="precursor-control").first()
        if framework is None:
            raise CommandError("The default assessment framework is missing: run migrate first.")
        self.dimensions = list(Dimension.objects.filter(framework=framework).order_by("order"))
        assessments, specs = [], []
        for engagement in self.engagements:
            plan = self.plan[engagement.pk]
            first = engagement.start_date + timedelta(days=self.rng.randint(20, 90))
            if first >= self.today - timedelta(days=10):
                continue
            plan["assessment_start"] = first
            rounds = [first]
            # A re-assessment some four years on, for engagements old enough.
            second = first + timedelta(days=self.rng.randint(3 * 365, 5 * 365))
            if second < self.today - timedelta(days=120) and (
                engagement.end_date is None or second < engagement.end_date
            ):
                rounds.append(second)
            for index, start in enumerate(rounds):
                end = start + timedelta(days=self.rng.randint(30, 80))
                status = "final" if end < self.today - timedelta(days=45) else self.rng.choice(["draft", "in_review"])
                if end > self.today:
                    end = None
                country = self.country_names[engagement.country_id]
                title = f"National precursor control assessment, {country} {start.year}"
                if index:
                    title = f"Re-assessment of precursor control, {country} {start.year}"
                assessments.append(
                    Assessment(
                        engagement_id=engagement.pk,
                        framework=framework,
                        title=title,
                        status=status,
                        start_date=start,
                        end_date=end,
                        executive_summary="The assessment reviewed the legal framework, the agencies and their "
                        "coordination against the thirteen dimensions of the framework.",
                        method="Document review, interviews with the agencies, visits to a port and two operators.",
                        created_at=_now_utc(start),
                        updated_at=_now_utc(end or start),
                    )
                )
                specs.append((engagement, index, start, end, status))
        assessments = self.bulk(Assessment, assessments)
        scores, findings, meetings, instruments, roundtables = [], [], [], [], []
        finding_meta = []
        baseline_levels = {}
        for assessment, (engagement, index, start, end, status) in zip(assessments, specs, strict=True):
            if status == "final" or self.rng.random() < 0.6:
                for dimension in self.dimensions:
                    if index == 0:
                        level = self.rng.choices([1, 2, 3, 4], weights=[3, 5, 3, 1])[0]
                        baseline_levels[(engagement.pk, dimension.pk)] = level
                    else:
                        before = baseline_levels.get((engagement.pk, dimension.pk), 2)
                        level = min(5, before + self.rng.choices([0, 1, 2], weights=[4, 5, 1])[0])
                    scores.append(
                        DimensionScore(
                            assessment=assessment,
                            dimension=dimension,
                            level=level,
                            rationale="Scored from the interviews and the documents reviewed.",
                        )
                    )
            for _i in range(self.rng.randint(6, 10)):
                dimension = self.rng.choice(self.dimensions)
                kind = self.rng.choices(["challenge", "opportunity", "good_practice"], weights=[6, 2, 1])[0]
                findings.append(
                    Finding(
                        assessment=assessment,
                        dimension=dimension,
                        kind=kind,
                        priority=self.rng.choice(["high", "medium", "low"]),
                        text=self.rng.choice(FINDING_TEXTS),
                        created_at=_now_utc(start),
                    )
                )
                finding_meta.append(engagement)
            for _i in range(self.rng.randint(4, 8)):
                meetings.append(
                    EvidenceMeeting(
                        assessment=assessment,
                        date=self.between(start, end or self.today),
                        kind=self.rng.choice(["meeting", "interview", "site_visit", "document_review"]),
                        agency=self.pick_agency(engagement.country_id),
                        notes="Discussed procedures, staffing and recent cases.",
                    )
                )
            for _i in range(self.rng.randint(2, 4)):
                instruments.append(
                    LegalInstrument(
                        assessment=assessment,
                        title=self.rng.choice(
                            [
                                "Law on controlled chemical substances",
                                "Regulation of the precursor law",
                                "Customs procedure for chemical imports",
                                "Decree on the national control list",
                            ]
                        ),
                        kind=self.rng.choice(["law", "decree", "regulation", "procedure"]),
                        year=self.rng.randint(1995, start.year),
                        state="in_force",
                        gaps="Does not cover non-scheduled substances.",
                    )
                )
            if status == "final" and end is not None:
                day = end + timedelta(days=self.rng.randint(20, 60))
                if day < self.today - timedelta(days=5):
                    roundtables.append(
                        Roundtable(
                            engagement_id=engagement.pk,
                            assessment=assessment,
                            title=f"National roundtable on precursor control ({day.year})",
                            date=day,
                            time_zone="America/Lima",
                            venue="Ministry of the Interior, main conference room",
                            agenda="Presentation of the findings; discussion; agreement on measures.",
                            minutes="The agencies agreed the measures listed and the follow-up schedule.",
                            created_at=_now_utc(day),
                            updated_at=_now_utc(day),
                        )
                    )
        self.bulk(DimensionScore, scores)
        findings = self.bulk(Finding, findings)
        self.bulk(EvidenceMeeting, meetings)
        self.bulk(LegalInstrument, instruments)
        roundtables = self.bulk(Roundtable, roundtables)
        recommendations = []
        for finding, engagement in zip(findings, finding_meta, strict=True):
            if finding.kind == "good_practice":
                continue
            recommendations.append(
                Recommendation(
                    finding=finding,
                    text="Adopt and apply the measure the finding calls for, with a responsible agency and a date.",
                    priority=finding.priority,
                    responsible_agency=self.pick_agency(engagement.country_id),
                    timeframe=self.rng.choice(["immediate", "short", "medium", "long"]),
                    created_at=finding.created_at,
                )
            )
        recommendations = self.bulk(Recommendation, recommendations)
        self.recommendations = defaultdict(list)
        for recommendation, finding in ((r, r.finding) for r in recommendations):
            self.recommendations[finding.assessment.engagement_id].append(recommendation)
        self.roundtables = defaultdict(list)
        for roundtable in roundtables:
            self.roundtables[roundtable.engagement_id].append(roundtable)
            plan = self.plan[roundtable.engagement_id]
            plan.setdefault("roundtable", roundtable.date)
        self._roundtable_model = (Roundtable, RoundtableAttendance)

    def attend_roundtables(self) -> None:
        """Attendance at the roundtables, from the officials of the country (once people exist)."""
        _roundtable, attendance_model = self._roundtable_model
        rows = []
        for engagement_id, tables in self.roundtables.items():
            code = self.plan[engagement_id]["engagement"].country_id
            pool = self.people[code]
            for roundtable in tables:
                for person in self.rng.sample(pool, min(len(pool), self.rng.randint(10, 18))):
                    rows.append(
                        attendance_model(roundtable=roundtable, person_id=person[0], attended=self.rng.random() < 0.85)
                    )
        self.bulk(attendance_model, rows)

    # ---- trainings ---------------------------------------------------------------------------

    def make_sessions(self) -> None:

        courses = []
        for title, code, _dims in COURSES:
            course, _created = Course.objects.get_or_create(
                code=f"scale-{code}", defaults={"title": title, "duration_hours": self.rng.choice([8, 16, 24, 40])}
            )
            courses.append(course)
        dimension_codes = {d.code for d in Dimension.objects.all()}
        for course, (_t, _c, dims) in zip(courses, COURSES, strict=True):
            wanted = [d for d in self.dimensions if d.code in dims and d.code in dimension_codes]
            if wanted:
                course.dimensions.add(*wanted)
        n = self.target["sessions"]
        n_regional = max(0, round(n * 0.1)) if n >= 10 else 0
        # Engagement sessions go where there is capacity-building time: after the roundtable.
        windows = []
        for engagement in self.engagements:
            plan = self.plan[engagement.pk]
            first = plan.get("roundtable") or (plan.get("assessment_start") or engagement.start_date) + timedelta(
                days=60
            )
            last = min(self.today - timedelta(days=3), engagement.end_date or self.today)
            if first < last:
                windows.append((engagement, first, last))
        weights = [(last - first).days for _e, first, last in windows]
        cumulative, total = [], 0
        for weight in weights:
            total += weight
            cumulative.append(total)
        sessions, session_countries = [], []
        kinds = ["training", "workshop", "webinar", "mentoring", "study_visit"]
        kind_weights = [50, 20, 15, 10, 5]
        for _i in range(n - n_regional):
            engagement, first, last = windows[bisect_right(cumulative, self.rng.random() * total)]
            start = self.between(first, last)
            sessions.append(self._session(courses, kinds, kind_weights, start, engagement))
            session_countries.append([engagement.country_id])
        for _i in range(n_regional):
            start = self.between(self.start + timedelta(days=200), self.today - timedelta(days=3))
            countries = self.rng.sample(self.codes, self.rng.randint(2, 5))
            sessions.append(self._session(courses, kinds, kind_weights, start, None, regional=True))
            session_countries.append(countries)
        sessions = self.bulk(TrainingSession, sessions)
        through = TrainingSession.countries.through
        self.bulk(
            through,
            [
                through(trainingsession_id=s.pk, country_id=code)
                for s, codes in zip(sessions, session_countries, strict=True)
                for code in codes
            ],
            batch_size=5000,
        )
        trainers = TrainingSession.trainers.through
        rows = []
        for session, codes in zip(sessions, session_countries, strict=True):
            pool = self.trainers_by_country.get(codes[0]) or list(self.trainers_by_country.values())[0]
            for user in self.rng.sample(pool, min(len(pool), self.rng.randint(1, 2))):
                rows.append(trainers(trainingsession_id=session.pk, user_id=user.pk))
        self.bulk(trainers, rows, batch_size=5000)
        self.sessions = list(zip(sessions, session_countries, strict=True))
        for session in sessions:
            if session.engagement_id:
                plan = self.plan[session.engagement_id]
                if "first_session" not in plan or session.start_date < plan["first_session"]:
                    plan["first_session"] = session.start_date

    def _session(self, courses, kinds, kind_weights, start, engagement, *, regional=False):

        course = self.rng.choice(courses)
        kind = self.rng.choices(kinds, weights=kind_weights)[0]
        days = {"training": 3, "workshop": 2, "webinar": 1, "mentoring": 5, "study_visit": 4}[kind]
        max_score = self.rng.choice([Decimal(100)] * 4 + [Decimal(20), Decimal(50)])
        code = engagement.country_id if engagement else None
        language = {"BR": "pt", "HT": "fr"}.get(code, "es")
        where = "regional" if regional else self.country_names[code]
        return TrainingSession(
            course=course,
            engagement=engagement,
            title=f"{course.title} ({where}, {start:%B %Y})",
            kind=kind,
            modality="virtual" if kind == "webinar" else self.rng.choice(["in_person", "in_person", "hybrid"]),
            start_date=start,
            end_date=start + timedelta(days=days - 1),
            venue="" if kind == "webinar" else "National training centre",
            language=language,
            max_score=max_score,
            pass_mark=(max_score * Decimal("0.7")).quantize(Decimal(1)),
            created_at=_now_utc(start - timedelta(days=30)),
            updated_at=_now_utc(start),
        )

    def make_results(self) -> None:

        n = self.target["results"]
        weights = [max(0.2, self.rng.gauss(1.0, 0.3)) for _s in self.sessions]
        total = sum(weights)
        sizes = [max(3, round(n * w / total)) for w in weights]
        # Trim or pad to the exact total.
        difference = n - sum(sizes)
        index = 0
        while difference != 0 and self.sessions:
            i = index % len(sizes)
            if difference > 0:
                sizes[i] += 1
                difference -= 1
            elif sizes[i] > 3:
                sizes[i] -= 1
                difference += 1
            index += 1
        # Each country's pool of officials: people attend about three sessions in ten years.
        demand = defaultdict(float)
        for (_session, codes), size in zip(self.sessions, sizes, strict=True):
            for code in codes:
                demand[code] += size / len(codes)
        people = []
        counter = 0
        for code in self.codes:
            pool = max(45, round(demand.get(code, 0) / 2.8))
            for _i in range(pool):
                counter += 1
                sex = self.rng.choices(["female", "male", "other", "undisclosed"], weights=[44, 51, 1, 4])[0]
                names = FIRST_NAMES["female" if sex == "female" else "male"]
                first, last = self.rng.choice(names), self.rng.choice(SURNAMES)
                agency = self.pick_agency(code)
                people.append(
                    Person(
                        full_name=f"{first} {last} {self.rng.choice(SURNAMES)}",
                        sex=sex,
                        email=f"p{counter:06d}.{last.lower()}@{code.lower()}.gov.example".encode(
                            "ascii", "ignore"
                        ).decode(),
                        position=self.rng.choice(
                            ["Inspector", "Analyst", "Officer", "Chemist", "Prosecutor", "Head of unit"]
                        ),
                        agency=agency,
                        country_id=code,
                        created_at=_now_utc(self.start),
                    )
                )
        people = self.bulk(Person, people, batch_size=5000)
        self.people = defaultdict(list)
        for person in people:
            self.people[person.country_id].append((person.pk, person.agency_id, person.sex))
        enrolments = []
        for (session, codes), size in zip(self.sessions, sizes, strict=True):
            pool = [p for code in codes for p in self.people[code]]
            chosen = self.rng.sample(pool, min(size, len(pool)))
            maximum = float(session.max_score)
            for person_id, agency_id, _sex in chosen:
                ability = min(0.95, max(0.05, self.rng.gauss(0.45, 0.15)))
                pre = min(1.0, max(0.0, ability + self.rng.gauss(0, 0.07)))
                gain = min(1.0, max(-0.3, self.rng.gauss(0.42, 0.25)))
                post = min(1.0, max(0.0, pre + (1 - pre) * gain))
                pre_score = (
                    None if self.rng.random() < 0.06 else Decimal(round(pre * maximum * 2) / 2).quantize(Decimal("0.1"))
                )
                post_score = (
                    None
                    if self.rng.random() < 0.09
                    else Decimal(round(post * maximum * 2) / 2).quantize(Decimal("0.1"))
                )
                days = session.days
                attended = Decimal(max(0, days - (1 if self.rng.random() < 0.15 else 0)))
                enrolments.append(
                    Enrolment(
                        session=session,
                        person_id=person_id,
                        agency_id=agency_id,
                        days_attended=attended,
                        completed=float(attended) / days >= 0.8,
                        pre_score=pre_score,
                        post_score=post_score,
                        enrolled_at=_now_utc(session.start_date - timedelta(days=7)),
                        updated_at=_now_utc(session.end_date),
                    )
                )
        self.bulk(Enrolment, enrolments, batch_size=5000)
        self.attend_roundtables()

    # ---- follow-up ----------------------------------------------------------------------------

    def make_followup(self) -> None:

        # Rounds every six months from three months after the roundtable, while the engagement runs.
        schedules, round_plans = [], {}
        for engagement in self.engagements:
            plan = self.plan[engagement.pk]
            if not plan.get("roundtable"):
                continue
            first = plan["roundtable"] + timedelta(days=90)
            last = min(self.today, engagement.end_date or self.today)
            if first > last:
                continue
            schedule = FollowupSchedule(
                engagement_id=engagement.pk,
                start_date=first,
                cadence_months=6,
                response_days=30,
                end_date=engagement.end_date,
                active=engagement.end_date is None,
                updated_by=self.country_manager[engagement.country_id],
                updated_at=_now_utc(plan["roundtable"]),
            )
            schedules.append(schedule)
            # The rounds open when the schedule says (FollowupSchedule.opens_on), up to the last day.
            opens = []
            period = 1
            while (day := schedule.opens_on(period)) <= last:
                opens.append((period, day))
                period += 1
            round_plans[engagement.pk] = opens
        schedules = self.bulk(FollowupSchedule, schedules)
        schedule_of = {s.engagement_id: s for s in schedules}

        # Measures: agreed at the roundtable (half of them) or later, during follow-up.
        n = self.target["measures"]
        followed = [e for e in self.engagements if e.pk in round_plans]
        if not followed:
            self.finish_phases()
            return
        shares = [max(0.3, self.rng.gauss(1.0, 0.25)) for _e in followed]
        total = sum(shares)
        per_engagement = [max(1, round(n * s / total)) for s in shares]
        measures, measure_plans = [], []
        for engagement, count in zip(followed, per_engagement, strict=True):
            opens = round_plans[engagement.pk]
            roundtable = self.roundtables[engagement.pk][0]
            recommendations = self.recommendations.get(engagement.pk, [])
            for i in range(count):
                if i < count / 2 or len(opens) < 2:
                    agreed, table = roundtable.date, roundtable
                else:
                    agreed, table = self.between(opens[0][1], opens[-1][1]), None
                recommendation = recommendations[i] if i < len(recommendations) and table else None
                text = self.rng.choice(MEASURE_TEXTS)
                measures.append(
                    Measure(
                        engagement_id=engagement.pk,
                        title=text,
                        description=f"{text}, with the agencies concerned, and report on it at each round.",
                        recommendation=recommendation,
                        roundtable=table,
                        responsible_agency=self.pick_agency(engagement.country_id),
                        priority=self.rng.choices(["high", "medium", "low"], weights=[3, 5, 2])[0],
                        due_date=None
                        if self.rng.random() < 0.1
                        else agreed + timedelta(days=self.rng.randint(180, 720)),
                        created_by=self.country_manager[engagement.country_id],
                        created_at=_now_utc(agreed),
                        updated_at=_now_utc(agreed),
                    )
                )
                measure_plans.append((engagement, agreed))
        # Each measure is reported at every round after it was agreed until it closes; its
        # lifetime (in rounds) is drawn so that the status updates come to the wanted total.
        available = []
        for engagement, agreed in measure_plans:
            opens = round_plans[engagement.pk]
            available.append(sum(1 for _p, day in opens if day > agreed))
        wanted = self.target["updates"] / 0.97
        low, high = 1e-4, 1.0
        for _i in range(60):
            p = (low + high) / 2
            expected = sum((1 - (1 - p) ** k) / p for k in available if k)
            if expected > wanted:
                low = p
            else:
                high = p
        close_p = (low + high) / 2
        lifetimes = []
        for k in available:
            life = 1
            while self.rng.random() >= close_p and life < 10_000:
                life += 1
            lifetimes.append((min(k, life), life <= k))
        self._followup_rest(
            schedule_of=schedule_of,
            round_plans=round_plans,
            measures=measures,
            measure_plans=measure_plans,
            lifetimes=lifetimes,
        )

    def _followup_rest(self, *, schedule_of, round_plans, measures, measure_plans, lifetimes) -> None:

        # Rounds: the latest of each engagement is still open; earlier ones were closed when the next opened.
        rounds, round_keys = [], []
        for engagement_id, opens in round_plans.items():
            schedule = schedule_of[engagement_id]
            manager = self.country_manager[self.plan[engagement_id]["engagement"].country_id]
            for index, (period, day) in enumerate(opens):
                latest = index == len(opens) - 1
                closed_at = None
                if not latest:
                    closed_at = _now_utc(opens[index + 1][1], 6)
                elif schedule.end_date is not None:
                    closed_at = _now_utc(schedule.end_date, 18)
                rounds.append(
                    FollowupRound(
                        engagement_id=engagement_id,
                        schedule=schedule,
                        period=period,
                        opens_on=day,
                        due_date=day + timedelta(days=schedule.response_days),
                        opened_at=_now_utc(day, 5),
                        opened_by=manager,
                        closed_at=closed_at,
                    )
                )
                round_keys.append((engagement_id, index))
        rounds = self.bulk(FollowupRound, rounds, batch_size=5000)
        round_at = {key: r for key, r in zip(round_keys, rounds, strict=True)}
        measures = self.bulk(Measure, measures, batch_size=5000)
        self.plan_first_rounds(round_plans)

        # Which rounds go unsubmitted, and how late the others come.
        fate = {}
        for r in rounds:
            if r.due_date >= self.today:
                fate[r.pk] = ("current", None)
            elif self.rng.random() < 0.08:
                fate[r.pk] = ("missed", None)
            else:
                late = self.rng.random() < 0.22
                offset = self.rng.randint(31, 75) if late else self.rng.randint(3, 30)
                fate[r.pk] = ("submitted", r.opens_on + timedelta(days=offset))
        round_measures, updates, update_meta = [], [], []
        final_status = {}
        for measure, (engagement, agreed), (life, closes) in zip(measures, measure_plans, lifetimes, strict=True):
            opens = round_plans[engagement.pk]
            asked = [round_at[(engagement.pk, i)] for i, (_p, day) in enumerate(opens) if day > agreed][:life]
            if not asked:
                final_status[measure.pk] = None
                continue
            outcome = None
            if closes:
                outcome = self.rng.choices(["implemented", "cancelled"], weights=[85, 15])[0]
            counterpart = self.users[f"counterpart_{engagement.country_id.lower()}_{self.rng.randint(1, 2)}"]
            manager = self.country_manager[engagement.country_id]
            reports = []
            for step, round_ in enumerate(asked):
                round_measures.append(RoundMeasure(round=round_, measure=measure))
                kind, submitted_day = fate[round_.pk]
                if kind == "missed" and self.rng.random() < 0.5:
                    continue
                if kind == "current":
                    if self.rng.random() < 0.5:
                        continue
                    submitted_day = self.between(round_.opens_on, min(self.today, round_.due_date))
                elif kind == "missed":
                    submitted_day = round_.opens_on + timedelta(days=self.rng.randint(5, 25))
                else:
                    submitted_day = submitted_day - timedelta(days=self.rng.randint(0, 2))
                last = step == len(asked) - 1
                progress = min(100, round(100 * (step + 1) / (len(asked) + (0 if closes else 2))))
                if last and outcome:
                    status = outcome
                    progress = 100 if outcome == "implemented" else progress
                elif step == 0 and self.rng.random() < 0.3:
                    status, progress = "not_started", 0
                elif progress >= 50:
                    status = self.rng.choices(
                        ["partially_implemented", "in_progress", "not_implemented"], weights=[6, 3, 1]
                    )[0]
                else:
                    status = self.rng.choices(["in_progress", "not_implemented"], weights=[9, 1])[0]
                reports.append((round_, status, progress, submitted_day, kind))
            for position, (round_, status, progress, day, kind) in enumerate(reports):
                last = position == len(reports) - 1
                if kind == "current" and self.rng.random() < 0.2:
                    state = "draft"
                elif last:
                    state = self.rng.choices(["accepted", "submitted", "returned"], weights=[6, 3, 1])[0]
                else:
                    state = self.rng.choices(["accepted", "returned"], weights=[19, 1])[0]
                submitted_at = None if state == "draft" else _now_utc(day, 14)
                reviewed = state in ("accepted", "returned")
                reviewed_at = (
                    _now_utc(min(self.today, day + timedelta(days=self.rng.randint(2, 20))), 11) if reviewed else None
                )
                updates.append(
                    StatusUpdate(
                        measure=measure,
                        round=round_,
                        state=state,
                        status=status,
                        progress_pct=progress,
                        narrative=self.rng.choice(UPDATE_TEXTS),
                        created_by=counterpart,
                        created_at=_now_utc(day, 9),
                        updated_at=submitted_at or _now_utc(day, 9),
                        submitted_by=None if state == "draft" else counterpart,
                        submitted_at=submitted_at,
                        reviewed_by=manager if reviewed else None,
                        reviewed_at=reviewed_at,
                        review_comment="Please attach the adopted text." if state == "returned" else "",
                    )
                )
                update_meta.append((measure.pk, state, status, progress, submitted_at, reviewed_at))
        self.bulk(RoundMeasure, round_measures, batch_size=5000)
        updates = self.bulk(StatusUpdate, updates, batch_size=5000)

        # Rounds are submitted when every measure asked about was reported.
        submitted = {r.pk: _now_utc(fate[r.pk][1], 16) for r in rounds if fate[r.pk][0] == "submitted"}
        asked_rounds = {rm.round_id for rm in round_measures}
        for r in rounds:
            if r.pk not in asked_rounds and r.pk not in submitted:
                submitted[r.pk] = r.opened_at  # nothing to ask about: complete as it opens
        self._set_round_submissions(submitted)
        # Each measure's reported and verified status, from its updates (what measure_recompute derives).
        derived = {}
        for update, (measure_pk, state, status, progress, _submitted_at, reviewed_at) in zip(
            updates, update_meta, strict=True
        ):
            current = derived.setdefault(
                measure_pk,
                {"status": "not_started", "progress": 0, "verified": "", "verified_at": None, "latest": None},
            )
            # Reports come in round order, so the last one seen is the latest.
            if state in ("submitted", "accepted"):
                current["status"], current["progress"] = status, progress
            if state == "accepted":
                current["verified"], current["verified_at"] = status, reviewed_at
            if state != "draft":
                current["latest"] = update.pk
        self._set_measure_status(derived)

        # Coordination questionnaire and indicators, answered with the submitted rounds.
        responses, indicators = [], []
        for r in rounds:
            if r.pk in submitted and r.pk in asked_rounds and self.rng.random() < 0.8:
                base = min(4, max(0, round((r.opens_on - self.start).days / 900)))
                answers = {
                    name: min(4, max(0, base + self.rng.randint(-1, 1)))
                    for name in ("meetings", "information_exchange", "joint_operations", "mechanism", "industry")
                }
                responses.append(CoordinationResponse(round=r, comment="", answered_at=submitted[r.pk], **answers))
        self.bulk(CoordinationResponse, responses)
        for engagement_id in round_plans:
            for order, (name, unit) in enumerate(INDICATORS):
                indicators.append(
                    Indicator(
                        engagement_id=engagement_id,
                        name=name,
                        unit=unit,
                        baseline=Decimal(self.rng.randint(0, 20)),
                        target=Decimal(self.rng.randint(30, 120)),
                        order=order,
                    )
                )
        indicators = self.bulk(Indicator, indicators)
        by_engagement = defaultdict(list)
        for indicator in indicators:
            by_engagement[indicator.engagement_id].append(indicator)
        values = []
        for r in rounds:
            if r.pk not in submitted:
                continue
            for indicator in by_engagement[r.engagement_id]:
                years = (r.opens_on - self.start).days / 365
                value = float(indicator.baseline) + years * self.rng.uniform(1, 8)
                values.append(
                    IndicatorValue(
                        indicator=indicator, round=r, value=Decimal(round(value)), reported_at=submitted[r.pk]
                    )
                )
        self.bulk(IndicatorValue, values, batch_size=5000)
        self.finish_phases()

    def plan_first_rounds(self, round_plans) -> None:
        for engagement_id, opens in round_plans.items():
            if opens:
                self.plan[engagement_id]["first_round"] = opens[0][1]

    def _set_round_submissions(self, submitted: dict) -> None:
        update_from_values(FollowupRound, {"submitted_at": "timestamptz"}, list(submitted.items()))

    def _set_measure_status(self, derived: dict) -> None:
        columns = {
            "status": "",
            "progress_pct": "",
            "verified_status": "",
            "verified_at": "timestamptz",
            "latest_update_id": "bigint",
        }
        rows = [
            (pk, d["status"], d["progress"], d["verified"], d["verified_at"], d["latest"]) for pk, d in derived.items()
        ]
        update_from_values(Measure, columns, rows)

    # ---- programme targets ---------------------------------------------------------------------

    def make_targets(self) -> None:

        objectives = {
            "capacity": ProgrammeObjective.objects.create(
                programme=self.programme, code="O1", title="Personnel capacity strengthened", area="capacity", order=1
            ),
            "control": ProgrammeObjective.objects.create(
                programme=self.programme, code="O2", title="Control measures implemented", area="control", order=2
            ),
            "coordination": ProgrammeObjective.objects.create(
                programme=self.programme,
                code="O3",
                title="National coordination improved",
                area="coordination",
                order=3,
            ),
        }
        # Each year's capacity targets: (title, metric, target value, order).
        yearly = [
            ("Training sessions held in {year}", "sessions_held", max(1, round(self.target["sessions"] / 10)), 1),
            ("Officials trained in {year}", "people_trained", max(1, round(self.target["results"] / 12)), 2),
        ]
        activity, outcome = [], []
        for year in range(self.start.year, self.today.year + 1):
            for title, metric, value, order in yearly:
                activity.append(
                    ActivityTarget(
                        programme=self.programme,
                        objective=objectives["capacity"],
                        title=title.format(year=year),
                        period_start=date(year, 1, 1),
                        period_end=date(year, 12, 31),
                        metric=metric,
                        target_value=value,
                        order=order,
                    )
                )
        end = date(self.start.year + 10, 12, 31)
        for metric, objective, value, title in [
            ("post_mean_pct", "capacity", 70, "Post-test mean of at least 70 %"),
            ("normalized_gain", "capacity", Decimal("0.3"), "Normalized gain of at least 0.3"),
            ("implementation_rate", "control", 50, "Half of the agreed measures implemented"),
            ("followup_compliance", "coordination", 75, "Three rounds in four submitted on time"),
            ("maturity_change", "control", 1, "One maturity level gained on average"),
        ]:
            outcome.append(
                OutcomeTarget(
                    programme=self.programme,
                    objective=objectives[objective],
                    title=title,
                    period_start=self.start,
                    period_end=end,
                    metric=metric,
                    target_value=Decimal(value),
                    order=10,
                )
            )
        self.bulk(ActivityTarget, activity)
        self.bulk(OutcomeTarget, outcome)


def pause_audit_trail() -> list[str]:
    """Disable the audit trigger of every covered table until ``resume_audit_trail`` (same transaction)."""
    if connection.vendor != "postgresql":
        return []

    quote = connection.ops.quote_name
    tables = sorted(tables_with_trigger())
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {TRIGGER_NAME}")
    return tables


def resume_audit_trail(tables: list[str]) -> None:
    if not tables:
        return

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # A table with foreign-key checks still deferred cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {TRIGGER_NAME}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Command(BaseCommand):
    help = (
        "Build believable data in proportion to --factor (at 1: 35 countries, 350 engagements, 3 500 training "
        "sessions, 100 000 exam results, 20 000 measures, 100 000 status updates) with bulk inserts, into a portal "
        "that holds no engagements yet. Generated users sign in with --password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-engagements",
            type=int,
            default=ENGAGEMENT_FLOOR,
            help=f"Never fewer engagements than this (default {ENGAGEMENT_FLOOR}: a list page of 100 at any factor).",
        )
        parser.add_argument(
            "--with-audit-trail",
            action="store_true",
            help="Keep the audit triggers on: an audit entry per generated row (much slower).",
        )
        parser.add_argument("--factor", type=float, required=True, help="1 = ten years of a 35-country programme.")
        parser.add_argument("--seed", type=int, default=2016, help="Random seed (the same seed gives the same data).")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="Last day of the history (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--password", default="scale-data-password", help="Password of every generated user (throwaway data)."
        )

    def handle(self, *args, factor, seed, today, password, min_engagements, with_audit_trail, **options):
        if not 0 < factor <= 20:
            raise CommandError("--factor must be above 0 and at most 20.")
        if Engagement.objects.exists():
            raise CommandError(
                "This database already holds engagements; generate scale data into a freshly migrated database."
            )
        today = today or timezone.localdate()
        started = time.monotonic()
        self.stdout.write(f"Generating scale data, factor {factor:g}, into {connection.settings_dict['NAME']}:")
        generator = Generator(
            factor=factor, seed=seed, today=today, password=password, out=self.stdout, min_engagements=min_engagements
        )
        with acting_as(None, context=f"generate_scale_data --factor {factor:g}"), transaction.atomic():
            paused = [] if with_audit_trail else pause_audit_trail()
            counts = generator.run()
            resume_audit_trail(paused)
        datacache.all_changed()  # bulk inserts send no signal: nothing cached before the load may be served
        if paused:
            self.stdout.write(
                f"  (no audit entries for the generated rows: {len(paused)} audit triggers paused during the load)"
            )
        for label in sorted(counts):
            self.stdout.write(f"  {label}: {counts[label]:,}")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.0f} s ({math.fsum(counts.values()):,.0f} rows)."))
