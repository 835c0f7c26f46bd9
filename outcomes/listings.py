"""Exports of the lists managers work from, with every column: engagements, training sessions
(with their pre/post figures, by sex too), assessments, roundtables, measures, follow-up rounds and
indicator values.

Each list is read through its model's own scoping queryset (``visible_to``), so an export shows
exactly the rows the list page shows the same user; the filters have the lists' names
(``?country=PE&phase=follow_up``). A fixed number of queries per list, whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from accounts.scoping import has_role
from followups.models import CLOSED_STATUSES, COORDINATION_QUESTIONS
from followups.selectors import coordination_score
from ta_portal.tabular import Column, Table
from trainings.models import Enrolment, TrainingSession
from trainings.selectors import RESULT_ROW_FIELDS
from trainings.statistics import ResultRow, prepost_summary

from .forms import ExportFilterForm
from .presentation import SEX_LABELS, training_columns


class BadFilterError(ValueError):
    def __init__(self, errors):
        super().__init__(str(errors))
        self.errors = errors


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: object  # a lazy string
    model: Callable  # returns the model class (imported late: apps may load in any order)
    build: Callable  # (queryset, filters) -> Table
    filters: tuple[str, ...]
    # Who may export it: by default anyone with one of the model's read roles somewhere.
    readable: Callable | None = None


def _engagements(queryset, data) -> Table:
    if data.get("q"):
        queryset = queryset.filter(Q(title__icontains=data["q"]) | Q(description__icontains=data["q"]))
    if data.get("country"):
        queryset = queryset.filter(country_id=data["country"].upper())
    if data.get("phase"):
        queryset = queryset.filter(phase=data["phase"])
    if data.get("programme"):
        queryset = queryset.filter(programme_id=data["programme"])
    if data.get("year"):
        queryset = queryset.filter(start_date__year=data["year"])
    columns = [
        Column("id", "id", "int"),
        Column("title", _("Title")),
        Column("country_id", _("Country code")),
        Column("country__name", _("Country")),
        Column("programme__code", _("Programme")),
        Column("phase", _("Phase")),
        Column("start_date", _("Start"), "date"),
        Column("end_date", _("End"), "date"),
        Column("description", _("Description")),
        Column("n_sessions", _("Training sessions"), "int"),
        Column("n_measures", _("Measures"), "int"),
        Column("n_rounds", _("Follow-up rounds"), "int"),
        Column("created_at", _("Created")),
        Column("updated_at", _("Updated")),
    ]
    return Table(
        "engagements",
        _("Engagements"),
        columns,
        queryset.annotate(
            n_sessions=Count("training_sessions", distinct=True),
            n_measures=Count("measures", distinct=True),
            n_rounds=Count("followup_rounds", distinct=True),
        ).values(*_keys(columns)),
    )


SEXES = ("female", "male", "other", "undisclosed")
FIGURES = ("n_paired", "pre_mean_pct", "post_mean_pct", "mean_gain_pct", "normalized_gain", "post_pass_rate")


def _sessions(queryset, data) -> Table:
    if data.get("q"):
        queryset = queryset.filter(Q(title__icontains=data["q"]) | Q(venue__icontains=data["q"]))
    if data.get("country"):
        queryset = queryset.filter(
            pk__in=TrainingSession.countries.through.objects.filter(country_id=data["country"].upper()).values(
                "trainingsession_id"
            )
        )
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("engagement"):
        queryset = queryset.filter(engagement_id=data["engagement"])
    if data.get("programme"):
        queryset = queryset.filter(engagement__programme_id=data["programme"])
    if data.get("year"):
        queryset = queryset.filter(start_date__year=data["year"])
    sessions = list(
        queryset.values(
            "id",
            "title",
            "course__title",
            "kind",
            "modality",
            "start_date",
            "end_date",
            "venue",
            "language",
            "engagement_id",
            "engagement__title",
            "max_score",
            "pass_mark",
        )
    )
    ids = [s["id"] for s in sessions]
    countries = defaultdict(list)
    through = TrainingSession.countries.through.objects.filter(trainingsession_id__in=ids).order_by("country_id")
    for session_id, code in through.values_list("trainingsession_id", "country_id"):
        countries[session_id].append(code)
    rows_by_session = defaultdict(list)
    enrolments = Enrolment.objects.filter(session_id__in=ids).order_by()
    for session_id, *values in enrolments.values_list("session_id", *RESULT_ROW_FIELDS):
        rows_by_session[session_id].append(ResultRow(*values))
    rows = []
    for session in sessions:
        summary = prepost_summary(rows_by_session[session["id"]])
        row = {**session, "countries": " ".join(countries[session["id"]])}
        row.update({key: summary[key] for key in summary if key not in ("by_sex", "by_agency")})
        for sex in SEXES:
            for key in FIGURES:
                row[f"{sex}_{key}"] = summary["by_sex"].get(sex, {}).get(key)
        rows.append(row)
    columns = [
        Column("id", "id", "int"),
        Column("title", _("Title")),
        Column("course__title", _("Course")),
        Column("kind", _("Kind")),
        Column("modality", _("Modality")),
        Column("start_date", _("Start"), "date"),
        Column("end_date", _("End"), "date"),
        Column("venue", _("Venue")),
        Column("language", _("Language")),
        Column("countries", _("Countries")),
        Column("engagement_id", _("Engagement id"), "int"),
        Column("engagement__title", _("Engagement")),
        Column("max_score", _("Maximum score"), "num"),
        Column("pass_mark", _("Pass mark"), "num"),
        *training_columns(),
    ]
    by_key = {column.key: column for column in columns}
    for sex in SEXES:
        for key in FIGURES:
            label = _("%(sex)s: %(figure)s") % {"sex": SEX_LABELS[sex], "figure": by_key[key].label}
            columns.append(Column(f"{sex}_{key}", label, by_key[key].kind))
    return Table("training-sessions", _("Training sessions"), columns, rows)


def _assessments(queryset, data) -> Table:
    queryset = _common(queryset, data, country="engagement__country_id", year="start_date__year")
    columns = [
        Column("id", "id", "int"),
        Column("title", _("Title")),
        Column("engagement_id", _("Engagement id"), "int"),
        Column("engagement__title", _("Engagement")),
        Column("engagement__country_id", _("Country")),
        Column("status", _("Status")),
        Column("start_date", _("Start"), "date"),
        Column("end_date", _("End"), "date"),
        Column("framework__name", _("Framework")),
        Column("framework__version", _("Framework version"), "int"),
        Column("n_scored", _("Dimensions scored"), "int"),
        Column("mean_level", _("Mean level"), "level"),
    ]
    return Table(
        "assessments",
        _("Assessments"),
        columns,
        queryset.annotate(n_scored=Count("scores"), mean_level=Avg("scores__level")).values(*_keys(columns)),
    )


def _keys(columns: list[Column]) -> list[str]:
    """The fields a list export reads: its columns' keys, named once."""
    return [column.key for column in columns]


def _common(queryset, data, *, country: str, year: str | None = None, status: str = "status"):
    if data.get("country"):
        queryset = queryset.filter(**{country: data["country"].upper()})
    if data.get("engagement"):
        queryset = queryset.filter(engagement_id=data["engagement"])
    if data.get("programme"):
        queryset = queryset.filter(engagement__programme_id=data["programme"])
    if data.get("status") and status:
        queryset = queryset.filter(**{status: data["status"]})
    if data.get("year") and year:
        queryset = queryset.filter(**{year: data["year"]})
    if data.get("q"):
        queryset = queryset.filter(title__icontains=data["q"])
    return queryset


def _roundtables(queryset, data) -> Table:
    queryset = _common(queryset, data, country="engagement__country_id", year="date__year", status="")
    columns = [
        Column("id", "id", "int"),
        Column("title", _("Title")),
        Column("engagement_id", _("Engagement id"), "int"),
        Column("engagement__country_id", _("Country")),
        Column("assessment_id", _("Assessment id"), "int"),
        Column("date", _("Date"), "date"),
        Column("online", _("Online")),
        Column("venue", _("Venue")),
        Column("n_agencies", _("Agencies"), "int"),
        Column("n_invited", _("Attendees invited"), "int"),
        Column("n_attended", _("Attendees present"), "int"),
        Column("n_measures", _("Measures agreed"), "int"),
    ]
    return Table(
        "roundtables",
        _("Roundtables"),
        columns,
        queryset.annotate(
            n_agencies=Count("agencies", distinct=True),
            n_invited=Count("attendance", distinct=True),
            n_attended=Count("attendance", filter=Q(attendance__attended=True), distinct=True),
            n_measures=Count("measures", distinct=True),
        ).values(*_keys(columns)),
    )


def _measures(queryset, data) -> Table:
    queryset = _common(queryset, data, country="engagement__country_id", year="due_date__year")
    today = timezone.localdate()
    rows = []
    for row in queryset.values(
        "id",
        "title",
        "description",
        "engagement_id",
        "engagement__title",
        "engagement__country_id",
        "recommendation_id",
        "roundtable_id",
        "roundtable__date",
        "responsible_agency__acronym",
        "responsible_agency__name",
        "priority",
        "due_date",
        "status",
        "progress_pct",
        "verified_status",
        "verified_at",
        "latest_update__submitted_at",
        "created_at",
    ):
        open_ = row["status"] not in CLOSED_STATUSES
        row["responsible_agency"] = row.pop("responsible_agency__acronym") or row.pop("responsible_agency__name")
        row.pop("responsible_agency__name", None)
        row["overdue"] = bool(open_ and row["due_date"] and row["due_date"] < today)
        row["verified"] = bool(row["verified_status"]) and row["verified_status"] == row["status"]
        rows.append(row)
    return Table(
        "measures",
        _("Measures"),
        [
            Column("id", "id", "int"),
            Column("title", _("Title")),
            Column("description", _("Description")),
            Column("engagement_id", _("Engagement id"), "int"),
            Column("engagement__title", _("Engagement")),
            Column("engagement__country_id", _("Country")),
            Column("recommendation_id", _("Recommendation id"), "int"),
            Column("roundtable_id", _("Roundtable id"), "int"),
            Column("roundtable__date", _("Agreed at roundtable on"), "date"),
            Column("responsible_agency", _("Responsible agency")),
            Column("priority", _("Priority")),
            Column("due_date", _("Due"), "date"),
            Column("status", _("Reported status")),
            Column("progress_pct", _("Reported progress (%)"), "int"),
            Column("verified_status", _("Verified status")),
            Column("verified_at", _("Verified at")),
            Column("verified", _("Verified as reported")),
            Column("overdue", _("Overdue")),
            Column("latest_update__submitted_at", _("Last reported")),
            Column("created_at", _("Created")),
        ],
        rows,
    )


def _rounds(queryset, data) -> Table:
    today = timezone.localdate()
    queryset = _common(
        queryset.with_status(today),
        data,
        country="engagement__country_id",
        year="due_date__year",
        status="round_status",
    )
    points = sum(
        (F(f"coordination__{name}") for name, _q in COORDINATION_QUESTIONS[1:]),
        F(f"coordination__{COORDINATION_QUESTIONS[0][0]}"),
    )
    rows = []
    for row in queryset.annotate(n_measures=Count("round_measures", distinct=True), points=points).values(
        "id",
        "engagement_id",
        "engagement__title",
        "engagement__country_id",
        "opens_on",
        "due_date",
        "round_status",
        "submitted_at",
        "closed_at",
        "n_measures",
        "points",
    ):
        submitted = row["submitted_at"]
        row["on_time"] = None if submitted is None else timezone.localdate(submitted) <= row["due_date"]
        row["coordination"] = coordination_score(row.pop("points"))
        rows.append(row)
    return Table(
        "followup-rounds",
        _("Follow-up rounds"),
        [
            Column("id", "id", "int"),
            Column("engagement_id", _("Engagement id"), "int"),
            Column("engagement__title", _("Engagement")),
            Column("engagement__country_id", _("Country")),
            Column("opens_on", _("Opened"), "date"),
            Column("due_date", _("Due"), "date"),
            Column("round_status", _("Status")),
            Column("submitted_at", _("Submitted")),
            Column("on_time", _("On time")),
            Column("closed_at", _("Closed")),
            Column("n_measures", _("Measures asked about"), "int"),
            Column("coordination", _("Coordination score (0–100)"), "score"),
        ],
        rows,
    )


def _indicator_values(queryset, data) -> Table:
    if data.get("country"):
        queryset = queryset.filter(round__engagement__country_id=data["country"].upper())
    if data.get("engagement"):
        queryset = queryset.filter(round__engagement_id=data["engagement"])
    if data.get("programme"):
        queryset = queryset.filter(round__engagement__programme_id=data["programme"])
    if data.get("year"):
        queryset = queryset.filter(round__due_date__year=data["year"])
    if data.get("q"):
        queryset = queryset.filter(indicator__name__icontains=data["q"])
    columns = [
        Column("indicator_id", _("Indicator id"), "int"),
        Column("indicator__name", _("Indicator")),
        Column("indicator__unit", _("Unit")),
        Column("indicator__baseline", _("Baseline"), "num"),
        Column("indicator__target", _("Target"), "num"),
        Column("round__engagement_id", _("Engagement id"), "int"),
        Column("round__engagement__country_id", _("Country")),
        Column("round_id", _("Round id"), "int"),
        Column("round__due_date", _("Round due"), "date"),
        Column("value", _("Value"), "num"),
        Column("note", _("Note")),
    ]
    return Table("indicator-values", _("Indicator values"), columns, queryset.values(*_keys(columns)))


def _model(dotted: str):
    def load():
        return apps.get_model(dotted)

    return load


def _trainer_or_reader(user) -> bool:
    """Trainers reach the sessions they are assigned to, whatever their countries."""
    return has_role(user, Role.TRAINER) or TrainingSession.objects.readable_by(user)


DATASETS = {
    d.slug: d
    for d in (
        Dataset(
            "engagements",
            gettext_lazy("Engagements"),
            _model("engagements.Engagement"),
            _engagements,
            ("q", "country", "phase", "programme", "year"),
        ),
        Dataset(
            "training-sessions",
            gettext_lazy("Training sessions, with their pre/post figures"),
            _model("trainings.TrainingSession"),
            _sessions,
            ("q", "country", "kind", "engagement", "programme", "year"),
            _trainer_or_reader,
        ),
        Dataset(
            "assessments",
            gettext_lazy("Assessments"),
            _model("assessments.Assessment"),
            _assessments,
            ("country", "engagement", "programme", "status", "year"),
        ),
        Dataset(
            "roundtables",
            gettext_lazy("Roundtables"),
            _model("assessments.Roundtable"),
            _roundtables,
            ("country", "engagement", "programme", "year"),
        ),
        Dataset(
            "measures",
            gettext_lazy("Measures"),
            _model("followups.Measure"),
            _measures,
            ("q", "country", "engagement", "programme", "status", "year"),
        ),
        Dataset(
            "followup-rounds",
            gettext_lazy("Follow-up rounds"),
            _model("followups.FollowupRound"),
            _rounds,
            ("country", "engagement", "programme", "status", "year"),
        ),
        Dataset(
            "indicator-values",
            gettext_lazy("Indicator values"),
            _model("followups.IndicatorValue"),
            _indicator_values,
            ("q", "country", "engagement", "programme", "year"),
        ),
    )
}


def _readable(dataset: Dataset, user) -> bool:
    if dataset.readable is not None:
        return dataset.readable(user)
    return dataset.model().objects.readable_by(user)


def datasets_for(user) -> list[Dataset]:
    """The lists the user may read (a list whose rows their roles never reach is not offered)."""
    return [dataset for dataset in DATASETS.values() if _readable(dataset, user)]


def build(slug: str, *, user, params) -> Table:
    dataset = DATASETS.get(slug)
    if dataset is None:
        raise Http404
    model = dataset.model()
    if not _readable(dataset, user):
        raise PermissionDenied
    form = ExportFilterForm(params)
    if not form.is_valid():
        raise BadFilterError(form.errors)
    data = {
        key: value for key, value in form.cleaned_data.items() if key in dataset.filters and value not in (None, "")
    }
    return dataset.build(model.objects.visible_to(user).order_by(*_ordering(model)), data)


def _ordering(model) -> list[str]:
    return list(model._meta.ordering or ["pk"]) + ["pk"]
