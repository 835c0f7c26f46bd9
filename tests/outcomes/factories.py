"""Generated outcome data: a programme with engagements in several countries, sessions with exam
results, assessments with scores, roundtables, measures with their status history, follow-up rounds
with the coordination questionnaire, and indicators.

Every row is also kept as a plain record (``Generated``) so tests compute the expected figures
themselves, with plain Python, NumPy and SciPy, never through the portal's code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from assessments.models import Assessment
from assessments.models import Dimension
from assessments.models import DimensionScore
from assessments.models import Framework
from assessments.models import Roundtable
from engagements.models import Agency
from engagements.models import Engagement
from engagements.models import Person
from engagements.models import PhaseChange
from engagements.models import Programme
from followups.models import CoordinationResponse
from followups.models import FollowupRound
from followups.models import Indicator
from followups.models import IndicatorValue
from followups.models import Measure
from followups.models import StatusUpdate
from followups.models import UpdateState
from followups.services import measure_recompute
from trainings.models import Enrolment
from trainings.models import TrainingSession

DIMENSIONS = ("legal", "institutional", "licensing", "import_export")
SEXES = ("female", "male", "other", "undisclosed")
KINDS = ("training", "mentoring", "webinar", "workshop", "study_visit")
STATUSES = ("not_started", "in_progress", "partially_implemented", "implemented", "not_implemented", "cancelled")
QUESTIONS = ("meetings", "information_exchange", "joint_operations", "mechanism", "industry")


@dataclass
class Generated:
    programme: Programme
    countries: list[str]
    engagements: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    assessments: list[dict] = field(default_factory=list)
    roundtables: list[dict] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)
    rounds: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)


def test_framework() -> tuple[Framework, dict[str, Dimension]]:
    framework, _ = Framework.objects.get_or_create(code="outcomes-test", version=1, defaults={"name": "Test framework"})
    dimensions = {}
    for order, code in enumerate(DIMENSIONS):
        dimensions[code], _ = Dimension.objects.get_or_create(
            framework=framework,
            code=code,
            defaults={
                "order": order,
                "name": code.replace("_", " ").title(),
                **{f"level_{n}": f"Level {n}" for n in range(1, 6)},
            },
        )
    return framework, dimensions


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def generate(
    *,
    size: int = 1,
    seed: int = 7,
    countries: tuple[str, ...] = ("PE", "CO"),
    programme: Programme | None = None,
    years: tuple[int, ...] = (2023, 2024, 2025, 2026),
    today: date | None = None,
) -> Generated:
    """``size`` scales every count (sessions, participants, measures, rounds); the shape stays."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    programme = programme or Programme.objects.create(
        name=f"Programme {seed}",
        code=f"programme-{seed}-{size}",
        start_date=date(years[0], 1, 1),
        end_date=date(years[-1] + 1, 12, 31),
    )
    generated = Generated(programme=programme, countries=list(countries))
    framework, dimensions = test_framework()
    people: dict[str, list[Person]] = {}
    agencies: dict[str, list[Agency]] = {}
    for code in countries:
        agencies[code] = [
            Agency.objects.create(country_id=code, name=f"{code} agency {seed}-{size}-{i}", acronym=f"{code}A{i}")
            for i in range(3)
        ]
        people[code] = [
            Person.objects.create(
                full_name=f"{code} person {seed}-{size}-{i}",
                sex=rng.choice(SEXES),
                agency=rng.choice(agencies[code]),
                country_id=code,
            )
            for i in range(12 * size)
        ]
    for code in countries:
        for e_index in range(2):
            start = date(years[0] + e_index, 3, 1)
            engagement = Engagement.objects.create(
                country_id=code,
                title=f"{code} engagement {e_index}",
                programme=programme,
                start_date=start,
                phase=rng.choice(["assessment", "capacity_building", "follow_up"]),
            )
            # Its phase history: planning at the start, then each later phase some months apart.
            changes = []
            day = start
            for phase in ("planning", "assessment", "roundtable", "capacity_building", "follow_up"):
                PhaseChange.objects.create(engagement=engagement, to_phase=phase)
                changes.append((phase, day))
                if phase == engagement.phase:
                    break
                day = day + timedelta(days=rng.randint(60, 300))
            for change, (_phase, when) in zip(engagement.phase_changes.order_by("pk"), changes, strict=True):
                PhaseChange.objects.filter(pk=change.pk).update(changed_at=_noon(when))
            generated.engagements.append(
                {
                    "id": engagement.pk,
                    "country": code,
                    "start_date": start,
                    "phase": engagement.phase,
                    "changes": changes,
                }
            )
            _sessions(rng, generated, engagement, people[code], size=size, years=years, today=today)
            _assessments(rng, generated, engagement, framework, dimensions, e_index=e_index, years=years)
            _followup(rng, generated, engagement, size=size, years=years, today=today)
    # A regional session without engagement, shared by every country.
    _regional_session(rng, generated, people, size=size, day=date(years[1], 9, 10))
    return generated


def _score(rng, max_score: int, *, shift: float = 0.0) -> Decimal | None:
    if rng.random() < 0.08:
        return None
    value = min(max_score, max(0, round(rng.gauss(0.5 + shift, 0.18) * max_score)))
    return Decimal(value)


def _enrol(rng, generated: Generated, session: TrainingSession, record: dict, participants: list[Person]) -> None:
    for person in participants:
        pre = _score(rng, int(session.max_score))
        post = _score(rng, int(session.max_score), shift=0.2)
        Enrolment.objects.create(session=session, person=person, agency=person.agency, pre_score=pre, post_score=post)
        generated.results.append(
            {
                "session_id": session.pk,
                "engagement_id": session.engagement_id,
                "country": person.country_id,
                "person_id": person.pk,
                "sex": person.sex,
                "agency_id": person.agency_id,
                "pre": None if pre is None else float(pre),
                "post": None if post is None else float(post),
                "max": float(session.max_score),
                "pass": float(session.pass_mark),
                "start": session.start_date,
                "kind": session.kind,
            }
        )


def _sessions(rng, generated: Generated, engagement, people, *, size, years, today) -> None:
    for s_index in range(3 * size):
        year = rng.choice(years)
        start = date(year, rng.randint(1, 12), rng.randint(1, 25))
        if start > today:
            start = today - timedelta(days=rng.randint(1, 60))
        max_score = rng.choice([20, 50, 100])
        session = TrainingSession.objects.create(
            engagement=engagement,
            title=f"Session {engagement.pk}-{s_index}",
            kind=rng.choice(KINDS),
            start_date=start,
            end_date=start + timedelta(days=rng.randint(0, 4)),
            max_score=Decimal(max_score),
            pass_mark=Decimal(round(max_score * 0.7)),
        )
        session.countries.set([engagement.country_id])
        record = {
            "id": session.pk,
            "countries": [engagement.country_id],
            "start": session.start_date,
            "end": session.end_date,
            "kind": session.kind,
            "engagement_id": engagement.pk,
        }
        generated.sessions.append(record)
        _enrol(rng, generated, session, record, rng.sample(people, k=min(len(people), rng.randint(3, 10))))


def _regional_session(rng, generated: Generated, people: dict, *, size, day) -> None:
    session = TrainingSession.objects.create(
        title="Regional webinar",
        kind="webinar",
        start_date=day,
        end_date=day,
        max_score=Decimal(40),
        pass_mark=Decimal(28),
    )
    session.countries.set(generated.countries)
    record = {
        "id": session.pk,
        "countries": list(generated.countries),
        "start": day,
        "end": day,
        "kind": "webinar",
        "engagement_id": None,
    }
    generated.sessions.append(record)
    participants = [p for code in generated.countries for p in rng.sample(people[code], k=3 * size)]
    _enrol(rng, generated, session, record, participants)


def _assessments(rng, generated: Generated, engagement, framework, dimensions, *, e_index, years) -> None:
    # Per engagement: one final assessment, and one draft that must never count.
    for status, month in (("final", 4), ("draft", 10)):
        start = date(years[0] + 2 * e_index, month, 1)
        assessment = Assessment.objects.create(
            engagement=engagement,
            framework=framework,
            title=f"Assessment {engagement.pk} {status}",
            status=status,
            start_date=start,
            end_date=start + timedelta(days=20),
        )
        levels = {code: rng.randint(1, 5) for code in rng.sample(list(DIMENSIONS), k=rng.randint(2, 4))}
        for code, level in levels.items():
            DimensionScore.objects.create(assessment=assessment, dimension=dimensions[code], level=level)
        generated.assessments.append(
            {
                "id": assessment.pk,
                "engagement_id": engagement.pk,
                "country": engagement.country_id,
                "status": status,
                "start": start,
                "end": start + timedelta(days=20),
                "levels": levels,
            }
        )
    roundtable = Roundtable.objects.create(
        engagement=engagement, title=f"Roundtable {engagement.pk}", date=date(years[0] + 2 * e_index, 6, 15)
    )
    generated.roundtables.append(
        {"id": roundtable.pk, "engagement_id": engagement.pk, "country": engagement.country_id, "date": roundtable.date}
    )
    generated._last_roundtable = roundtable


def _followup(rng, generated: Generated, engagement, *, size, years, today) -> None:
    roundtable = generated._last_roundtable
    for m_index in range(4 * size):
        from_roundtable = rng.random() < 0.5
        measure = Measure.objects.create(
            engagement=engagement,
            title=f"Measure {engagement.pk}-{m_index}",
            roundtable=roundtable if from_roundtable else None,
        )
        created = date(rng.choice(years[:-1]), rng.randint(1, 12), rng.randint(1, 28))
        Measure.objects.filter(pk=measure.pk).update(created_at=_noon(created))
        agreed = roundtable.date if from_roundtable else created
        updates = []
        day = agreed
        for _ in range(rng.randint(0, 4)):
            day = day + timedelta(days=rng.randint(20, 300))
            if day >= today:
                break
            updates.append((day, rng.choice(STATUSES)))
        history = []
        for u_index, (day, status) in enumerate(updates):
            last = u_index == len(updates) - 1
            state = (
                rng.choice([UpdateState.SUBMITTED, UpdateState.ACCEPTED])
                if last
                else rng.choice([UpdateState.ACCEPTED, UpdateState.RETURNED])
            )
            StatusUpdate.objects.create(
                measure=measure,
                state=state,
                status=status,
                submitted_at=_noon(day),
                review_comment="Please add evidence." if state == UpdateState.RETURNED else "",
                reviewed_at=_noon(day) if state != UpdateState.SUBMITTED else None,
            )
            history.append({"day": day, "state": state, "status": status})
        measure_recompute(measure)
        measure.refresh_from_db()
        generated.measures.append(
            {
                "id": measure.pk,
                "engagement_id": engagement.pk,
                "country": engagement.country_id,
                "agreed_on": agreed,
                "history": history,
                "status": measure.status,
                "verified_status": measure.verified_status,
            }
        )
    indicator = Indicator.objects.create(engagement=engagement, name=f"Inspections {engagement.pk}", unit="inspections")
    for _ in range(3 * size):
        opens = date(rng.choice(years), rng.randint(1, 11), rng.randint(1, 20))
        due = opens + timedelta(days=30)
        submitted = None
        if rng.random() < 0.75:
            submitted_day = due + timedelta(days=rng.randint(-20, 20))
            if submitted_day < today:
                submitted = _noon(submitted_day)
        follow_round = FollowupRound.objects.create(
            engagement=engagement, opens_on=opens, due_date=due, submitted_at=submitted
        )
        points = None
        if rng.random() < 0.7:
            answers = {q: rng.randint(0, 4) for q in QUESTIONS}
            CoordinationResponse.objects.create(round=follow_round, **answers)
            points = sum(answers.values())
        value = Decimal(rng.randint(0, 40))
        IndicatorValue.objects.create(indicator=indicator, round=follow_round, value=value)
        generated.rounds.append(
            {
                "id": follow_round.pk,
                "engagement_id": engagement.pk,
                "country": engagement.country_id,
                "opens": opens,
                "due": due,
                "submitted": None if submitted is None else submitted.date(),
                "points": points,
            }
        )
        generated.indicators.append(
            {"indicator_id": indicator.pk, "round_id": follow_round.pk, "due": due, "value": float(value)}
        )
