"""Reads of the surveys: scoped fetches, the results of a survey or of many pooled, and the
reaction and application blocks of the outcome statistics (docs/API.md).

Every figure is aggregated by PostgreSQL in a fixed number of grouped queries (counts per answer
value and group, sums, the median), whatever the number of responses; Python only adds up the
few grouped rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate
from django.db.models import Count
from django.db.models import FloatField
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import get_visible_or_404
from accounts.roles import EVERY_ROLE
from accounts.scoping import scope_for
from engagements.models import Agency
from engagements.models import Person
from ta_portal.filtering import filter_given
from trainings.models import TrainingSession
from trainings.selectors import SMALLEST_SHOWN_GROUP
from trainings.selectors import nameable_scope

from . import access
from .models import AGREES_FROM
from .models import LIKERT_VALUES
from .models import Answer
from .models import Headline
from .models import Invitation
from .models import Purpose
from .models import QuestionKind
from .models import Survey
from .models import SurveyQuestion
from .models import SurveyResponse
from .models import SurveyTemplate
from .models import TemplateQuestion

LIKERT_LABELS = {
    1: gettext_lazy("Strongly disagree"),
    2: gettext_lazy("Disagree"),
    3: gettext_lazy("Neither agree nor disagree"),
    4: gettext_lazy("Agree"),
    5: gettext_lazy("Strongly agree"),
}


# ---- Fetching ------------------------------------------------------------------------------------------


def survey_get_for_user(*, user, pk: int) -> Survey:
    return get_visible_or_404(Survey.objects.select_related("session__course", "template"), user, pk=pk)


def survey_list_for_user(*, user, session=None, purpose: str = "", course=None) -> QuerySet[Survey]:
    surveys = Survey.objects.visible_to(user).select_related("session", "template")
    surveys = filter_given(surveys, session_id=session, purpose=purpose, session__course_id=course)
    return surveys.annotate(
        n_invited=Count("invitations", distinct=True), n_answered=Count("responses", distinct=True)
    ).order_by("-opens_on", "purpose", "pk")


def questions_for_user(user) -> QuerySet[SurveyQuestion]:
    return SurveyQuestion.objects.visible_to(user).order_by("-is_active", "code")


def templates_for_user(user) -> QuerySet[SurveyTemplate]:
    return (
        SurveyTemplate.objects.visible_to(user)
        .annotate(n_questions=Count("items", distinct=True), n_surveys=Count("surveys", distinct=True))
        .order_by("purpose", "name")
    )


def response_rate(answered: int, invited: int) -> float | None:
    """Answers / invited (0–1); None when nobody was invited."""
    return answered / invited if invited else None


# ---- Results --------------------------------------------------------------------------------------------


@dataclass
class Group:
    """A group of respondents (a sex or an agency) and its figures."""

    key: object
    label: str
    invited: int = 0
    answered: int = 0

    @property
    def response_rate(self) -> float | None:
        return response_rate(self.answered, self.invited)


@dataclass
class GroupMean:
    label: str
    n: int
    mean: float | None


@dataclass
class QuestionResult:
    question: SurveyQuestion
    n: int = 0
    distribution: list[tuple[str, int]] = field(default_factory=list)  # likert values or choice options
    mean: float | None = None
    median: float | None = None
    agree_rate: float | None = None  # likert: share of answers of 4 or 5
    by_sex: list[GroupMean] = field(default_factory=list)
    by_agency: list[GroupMean] = field(default_factory=list)
    comments: list[str] | None = None  # None: not shown to this reader
    chart: str | None = None  # the answers as an SVG bar chart (surveys.charts)

    @property
    def kind(self) -> str:
        return self.question.kind


@dataclass
class Results:
    invited: int
    answered: int
    questions: list[QuestionResult]
    by_sex: list[Group]
    by_agency: list[Group]
    withheld_sex: int = 0
    withheld_agencies: int = 0
    smallest_group: int = SMALLEST_SHOWN_GROUP
    comments_shown: bool = False

    @property
    def response_rate(self) -> float | None:
        return response_rate(self.answered, self.invited)


class Median(Aggregate):
    """The median (PostgreSQL's ``percentile_cont``)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _medians(answers: QuerySet[Answer], question_ids: list[int]) -> dict[int, float | None]:
    numbers = answers.filter(question__in=question_ids, number__isnull=False).order_by()
    if connection.vendor == "postgresql":
        return dict(numbers.values("question_id").annotate(m=Median("number")).values_list("question_id", "m"))
    # Other databases (the SQLite of a development run) have no median: the values, sorted by the database.
    values = defaultdict(list)
    for question_id, number in numbers.order_by("question_id", "number").values_list("question_id", "number"):
        values[question_id].append(float(number))
    medians = {}
    for question_id, found in values.items():
        middle = len(found) // 2
        medians[question_id] = found[middle] if len(found) % 2 else (found[middle - 1] + found[middle]) / 2
    return medians


def _mean_of(counts: dict[int, int]) -> float | None:
    n = sum(counts.values())
    return sum(value * k for value, k in counts.items()) / n if n else None


def _sex_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Person.Sex.choices}


def compute_results(
    *,
    questions: list[SurveyQuestion],
    responses: QuerySet[SurveyResponse],
    invitations: QuerySet[Invitation],
    show_small_groups: bool,
    comments_from: Q | None,
) -> Results:
    """Each question's figures over ``responses``, disaggregated by sex and agency, with the response
    rate over ``invitations``. Groups of fewer than SMALLEST_SHOWN_GROUP respondents are left out
    unless ``show_small_groups``; comments come from the responses ``comments_from`` selects (None:
    no comments). Eight queries whatever the number of responses."""
    responses = responses.order_by()
    question_ids = [q.pk for q in questions]
    answers = Answer.objects.filter(response__in=responses.values("pk")).order_by()
    agency_of_invitation = Coalesce("enrolment__agency_id", "enrolment__person__agency_id")

    # 1–2: invited and answered per (sex, agency)
    invited = invitations.order_by().values_list("enrolment__person__sex", agency_of_invitation).annotate(n=Count("pk"))
    answered = responses.values_list("sex", "agency_id").annotate(n=Count("pk"))
    sexes: dict[str, Group] = {}
    agencies: dict[int | None, Group] = {}
    sex_labels = _sex_labels()
    for counts, attribute in ((invited, "invited"), (answered, "answered")):
        for sex, agency, n in counts:
            group = sexes.setdefault(sex, Group(sex, sex_labels.get(sex, sex)))
            setattr(group, attribute, getattr(group, attribute) + n)
            group = agencies.setdefault(agency, Group(agency, ""))
            setattr(group, attribute, getattr(group, attribute) + n)
    # 3: agency names
    names = {
        pk: acronym or name
        for pk, acronym, name in Agency.objects.filter(pk__in=[a for a in agencies if a]).values_list(
            "pk", "acronym", "name"
        )
    }
    for key, group in agencies.items():
        group.label = names.get(key, _("No agency"))

    def shown(group) -> bool:
        return show_small_groups or group.answered >= SMALLEST_SHOWN_GROUP

    shown_sexes = {key for key, group in sexes.items() if shown(group)}
    shown_agencies = {key for key, group in agencies.items() if shown(group)}

    # 4: agreement answers per (question, value, sex, agency)
    likert = defaultdict(lambda: defaultdict(int))
    likert_sex = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    likert_agency = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    rows = (
        answers.filter(question__in=question_ids, likert__isnull=False)
        .values_list("question_id", "likert", "response__sex", "response__agency_id")
        .annotate(n=Count("pk"))
    )
    for question_id, value, sex, agency, n in rows:
        likert[question_id][value] += n
        likert_sex[question_id][sex][value] += n
        likert_agency[question_id][agency][value] += n
    # 5: choices per (question, option)
    choices = defaultdict(dict)
    rows = answers.filter(question__in=question_ids, choice__isnull=False).values_list("question_id", "choice")
    for question_id, option, n in rows.annotate(n=Count("pk")):
        choices[question_id][option] = n
    # 6: numbers per (question, sex, agency): count and sum; 7: their medians
    numbers = defaultdict(lambda: [0, Decimal(0)])
    numbers_sex = defaultdict(lambda: defaultdict(lambda: [0, Decimal(0)]))
    numbers_agency = defaultdict(lambda: defaultdict(lambda: [0, Decimal(0)]))
    rows = (
        answers.filter(question__in=question_ids, number__isnull=False)
        .values_list("question_id", "response__sex", "response__agency_id")
        .annotate(n=Count("pk"), total=Sum("number"))
    )
    for question_id, sex, agency, n, total in rows:
        for bucket in (numbers[question_id], numbers_sex[question_id][sex], numbers_agency[question_id][agency]):
            bucket[0] += n
            bucket[1] += total
    medians = _medians(answers, [q.pk for q in questions if q.kind == QuestionKind.NUMBER])
    # 8: comments
    comments = defaultdict(list)
    if comments_from is not None:
        texts = (
            answers.filter(comments_from, question__in=question_ids)
            .exclude(text="")
            .order_by("question_id", "text")
            .values_list("question_id", "text")
        )
        for question_id, text in texts:
            comments[question_id].append(text)

    def group_means(per_group: dict, groups: dict, keep: set, *, number: bool = False) -> list[GroupMean]:
        found = []
        for key in sorted(per_group, key=lambda k: groups[k].label if k in groups else ""):
            if key not in keep or key not in groups:
                continue
            if number:
                n, total = per_group[key]
                found.append(GroupMean(groups[key].label, n, float(total) / n if n else None))
            else:
                counts = per_group[key]
                found.append(GroupMean(groups[key].label, sum(counts.values()), _mean_of(counts)))
        return found

    results = []
    for question in questions:
        result = QuestionResult(question=question)
        if question.kind == QuestionKind.LIKERT:
            counts = likert[question.pk]
            result.n = sum(counts.values())
            result.distribution = [(f"{v} · {LIKERT_LABELS[v]}", counts.get(v, 0)) for v in LIKERT_VALUES]
            result.mean = _mean_of(counts)
            agree = sum(n for value, n in counts.items() if value >= AGREES_FROM)
            result.agree_rate = agree / result.n if result.n else None
            result.by_sex = group_means(likert_sex[question.pk], sexes, shown_sexes)
            result.by_agency = group_means(likert_agency[question.pk], agencies, shown_agencies)
        elif question.kind == QuestionKind.CHOICE:
            counts = choices[question.pk]
            result.n = sum(counts.values())
            result.distribution = [(label, counts.get(i, 0)) for i, label in enumerate(question.option_labels())]
        elif question.kind == QuestionKind.NUMBER:
            n, total = numbers[question.pk]
            result.n = n
            result.mean = float(total) / n if n else None
            result.median = medians.get(question.pk)
            result.by_sex = group_means(numbers_sex[question.pk], sexes, shown_sexes, number=True)
            result.by_agency = group_means(numbers_agency[question.pk], agencies, shown_agencies, number=True)
        else:
            result.comments = comments[question.pk] if comments_from is not None else None
            result.n = len(result.comments) if result.comments is not None else 0
        results.append(result)

    by_sex = sorted((g for k, g in sexes.items() if k in shown_sexes), key=lambda g: g.label)
    by_agency = sorted((g for k, g in agencies.items() if k in shown_agencies), key=lambda g: g.label)
    return Results(
        invited=sum(g.invited for g in sexes.values()),
        answered=sum(g.answered for g in sexes.values()),
        questions=results,
        by_sex=by_sex,
        by_agency=by_agency,
        withheld_sex=len(sexes) - len(by_sex),
        withheld_agencies=len(agencies) - len(by_agency),
        comments_shown=comments_from is not None,
    )


def survey_results(survey: Survey, user) -> Results:
    """One survey's results as ``user`` may see them: those who run the session see the comments and,
    unless the survey is anonymous, the groups of fewer than SMALLEST_SHOWN_GROUP respondents."""
    runs = access.can_run_surveys(user, survey.session)
    return compute_results(
        questions=survey.template.ordered_questions(),
        responses=SurveyResponse.objects.filter(survey=survey),
        invitations=Invitation.objects.filter(survey=survey),
        show_small_groups=runs and not survey.anonymous,
        comments_from=Q() if runs else None,
    )


def pooled_results(user, sessions: QuerySet[TrainingSession], purpose: str) -> Results:
    """The surveys of ``purpose`` of these sessions pooled, as ``user`` may see them: only the
    respondents of the countries of their scope, comments only from the countries whose sessions they
    run, and never a group of fewer than SMALLEST_SHOWN_GROUP respondents (anonymous answers may be
    among them)."""
    surveys = Survey.objects.filter(session__in=sessions.order_by().values("pk"), purpose=purpose)
    scope = scope_for(user, EVERY_ROLE)
    named = nameable_scope(user)
    items = (
        TemplateQuestion.objects.filter(template__in=surveys.values("template"))
        .select_related("question")
        .order_by("position", "question__code")
    )
    questions = list({item.question_id: item.question for item in items}.values())
    return compute_results(
        questions=questions,
        responses=SurveyResponse.objects.filter(scope.q("country_id"), survey__in=surveys),
        invitations=Invitation.objects.filter(scope.q("enrolment__person__country_id"), survey__in=surveys),
        show_small_groups=False,
        comments_from=None if named.empty else named.q("response__country_id"),
    )


# ---- Outcome statistics ------------------------------------------------------------------------------

HEADLINES = {Purpose.REACTION: Headline.SATISFACTION, Purpose.APPLICATION: Headline.APPLICATION}
# The block keys of each purpose: the headline question's mean and the share that agrees.
HEADLINE_KEYS = {
    Purpose.REACTION: ("mean_satisfaction", "satisfied_rate"),
    Purpose.APPLICATION: ("mean_applied", "applied_rate"),
}
BLOCK_KEYS = {
    purpose: ("surveys", "invited", "answered", "response_rate", *keys) for purpose, keys in HEADLINE_KEYS.items()
}


def empty_block(purpose: str) -> dict:
    return {"surveys": 0, "invited": 0, "answered": 0, "response_rate": None} | dict.fromkeys(HEADLINE_KEYS[purpose])


def empty_blocks() -> dict:
    return {purpose: empty_block(purpose) for purpose in Purpose.values}


def outcome_blocks(sessions: QuerySet[TrainingSession], scope, *, by_country: bool = False) -> dict:
    """docs/API.md's ``reaction`` and ``application`` blocks over these sessions, counting only the
    participants of the countries of ``scope`` (per country of the participants when ``by_country``):
    ``{None or country: {"reaction": {...}, "application": {...}}}``. Three queries."""
    surveys = Survey.objects.filter(session__in=sessions.order_by().values("pk"))
    blocks = defaultdict(empty_blocks)

    def grouped(queryset, country_path: str, purpose_path: str):
        """The rows grouped by (country, purpose), or by purpose alone (country None)."""
        keys = (country_path, purpose_path) if by_country else (purpose_path,)
        return queryset.order_by().values(*keys)

    def key(row, country_path):
        return row[country_path] if by_country else None

    invited = grouped(
        Invitation.objects.filter(scope.q("enrolment__person__country_id"), survey__in=surveys),
        "enrolment__person__country_id",
        "survey__purpose",
    ).annotate(n_surveys=Count("survey_id", distinct=True), n=Count("pk"))
    for row in invited:
        block = blocks[key(row, "enrolment__person__country_id")][row["survey__purpose"]]
        block["surveys"], block["invited"] = row["n_surveys"], row["n"]
    answered = grouped(
        SurveyResponse.objects.filter(scope.q("country_id"), survey__in=surveys), "country_id", "survey__purpose"
    ).annotate(n=Count("pk"))
    for row in answered:
        blocks[key(row, "country_id")][row["survey__purpose"]]["answered"] = row["n"]
    # The answers to the headline question of each purpose (the satisfaction of a reaction survey…).
    headline = Q()
    for purpose, name in HEADLINES.items():
        headline |= Q(response__survey__purpose=purpose, question__headline=name)
    answers = grouped(
        Answer.objects.filter(
            headline, scope.q("response__country_id"), response__survey__in=surveys, likert__isnull=False
        ),
        "response__country_id",
        "response__survey__purpose",
    ).annotate(n=Count("pk"), total=Sum("likert"), agree=Count("pk", filter=Q(likert__gte=AGREES_FROM)))
    for row in answers:
        mean_key, rate_key = HEADLINE_KEYS[row["response__survey__purpose"]]
        block = blocks[key(row, "response__country_id")][row["response__survey__purpose"]]
        block[mean_key] = row["total"] / row["n"]
        block[rate_key] = row["agree"] / row["n"]
    for block in blocks.values():
        for figures in block.values():
            figures["response_rate"] = response_rate(figures["answered"], figures["invited"])
    found = dict(blocks)
    if not by_country:
        found.setdefault(None, empty_blocks())
    return found


def session_blocks(session: TrainingSession, user) -> dict:
    """The reaction and application blocks of one session, over the participants ``user`` may see."""
    return outcome_blocks(TrainingSession.objects.filter(pk=session.pk), scope_for(user, EVERY_ROLE))[None]
