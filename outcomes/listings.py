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
from django.db.models import Avg
from django.db.models import Count
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from accounts.scoping import has_role
from followups.models import CLOSED_STATUSES
from followups.selectors import coordination_score
from ta_portal.tabular import Column
from ta_portal.tabular import Table
from trainings.models import Enrolment
from trainings.models import TrainingSession
from trainings.selectors import RESULT_ROW_FIELDS
from trainings.statistics import SEX_ORDER
from trainings.statistics import SUMMARY_KEYS
from trainings.statistics import ResultRow
from trainings.statistics import prepost_summary

from .columns import SEX_LABELS
from .columns import columns
from .columns import sources
from .facts import coordination_points
from .forms import ExportFilterForm


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


def _filtered(queryset, data, **lookups):
    """The rows that pass the filters given in ``data``: each filter narrows by its lookup, a field
    path compared with the value (country codes in capitals) or a function of the value giving a Q."""
    for name, lookup in lookups.items():
        value = data.get(name)
        if not value:
            continue
        if name == "country":
            value = value.upper()
        queryset = queryset.filter(lookup(value) if callable(lookup) else Q(**{lookup: value}))
    return queryset


def _title_or(field: str):
    """The ``q`` filter of a list searched in its titles and one more text field."""
    return lambda text: Q(title__icontains=text) | Q(**{f"{field}__icontains": text})


# The filters of a list of what belongs to an engagement (its year filter names a date of its own).
BY_ENGAGEMENT = {
    "country": "engagement__country_id",
    "engagement": "engagement_id",
    "programme": "engagement__programme_id",
    "q": "title__icontains",
}


def _engagements(queryset, data) -> Table:
    queryset = _filtered(
        queryset,
        data,
        q=_title_or("description"),
        country="country_id",
        phase="phase",
        programme="programme_id",
        year="start_date__year",
    )
    return _listed(
        "engagements",
        _("Engagements"),
        columns(
            "id",
            "title",
            "country_id",
            "country__name",
            "programme__code",
            "phase",
            "start_date",
            "end_date",
            "description",
            "n_sessions",
            "n_measures",
            "n_rounds",
            "created_at",
            "updated_at",
        ),
        queryset.annotate(**_counts(n_sessions="training_sessions", n_measures="measures", n_rounds="followup_rounds")),
    )


def _counts(**relations: str) -> dict[str, Count]:
    """Distinct counts of related rows, one per column: joins of several relations would repeat rows."""
    return {column: Count(relation, distinct=True) for column, relation in relations.items()}


def _listed(name: str, title: str, table_columns: list[Column], queryset) -> Table:
    """A list read straight from the database: each column from its field."""
    return Table.read(name, title, table_columns, queryset.values(*sources(table_columns)))


# The figures of each sex a list of sessions adds after the figures of all participants.
FIGURES_BY_SEX = ("n_paired", "pre_mean_pct", "post_mean_pct", "mean_gain_pct", "normalized_gain", "post_pass_rate")


def _sessions(queryset, data) -> Table:
    held_in = TrainingSession.countries.through.objects
    queryset = _filtered(
        queryset,
        data,
        q=_title_or("venue"),
        country=lambda code: Q(pk__in=held_in.filter(country_id=code).values("trainingsession_id")),
        kind="kind",
        engagement="engagement_id",
        programme="engagement__programme_id",
        year="start_date__year",
    )
    described = columns(
        "id", "title", "course__title", "kind", "modality", "start_date", "end_date", "venue", "language"
    )
    scored = columns("engagement_id", "engagement__title", "max_score", "pass_mark")
    sessions = list(queryset.values(*sources([*described, *scored])))
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
        for sex in SEX_ORDER:
            for key in FIGURES_BY_SEX:
                row[f"{sex}_{key}"] = summary["by_sex"].get(sex, {}).get(key)
        rows.append(row)
    by_sex = [
        Column(
            f"{sex}_{figure.key}",
            _("%(sex)s: %(figure)s") % {"sex": SEX_LABELS[sex], "figure": figure.label},
            figure.kind,
        )
        for sex in SEX_ORDER
        for figure in columns(*FIGURES_BY_SEX)
    ]
    table_columns = [*described, *columns("countries"), *scored, *columns(*SUMMARY_KEYS), *by_sex]
    return Table("training-sessions", _("Training sessions"), table_columns, rows)


def _assessments(queryset, data) -> Table:
    queryset = _filtered(queryset, data, **BY_ENGAGEMENT, status="status", year="start_date__year")
    return _listed(
        "assessments",
        _("Assessments"),
        columns(
            "id",
            "title",
            "engagement_id",
            "engagement__title",
            "engagement__country_id",
            "assessment_status",
            "start_date",
            "end_date",
            "framework__name",
            "framework__version",
            "n_scored",
            "mean_level",
        ),
        queryset.annotate(n_scored=Count("scores"), mean_level=Avg("scores__level")),
    )


def _roundtables(queryset, data) -> Table:
    queryset = _filtered(queryset, data, **BY_ENGAGEMENT, year="date__year")
    return _listed(
        "roundtables",
        _("Roundtables"),
        columns(
            "id",
            "title",
            "engagement_id",
            "engagement__country_id",
            "assessment_id",
            "date",
            "online",
            "venue",
            "n_agencies",
            "n_invited",
            "n_attended",
            "n_measures_agreed",
        ),
        queryset.annotate(
            **_counts(n_agencies="agencies", n_invited="attendance", n_measures_agreed="measures"),
            n_attended=Count("attendance", filter=Q(attendance__attended=True), distinct=True),
        ),
    )


def _measures(queryset, data) -> Table:
    queryset = _filtered(queryset, data, **BY_ENGAGEMENT, status="status", year="due_date__year")
    today = timezone.localdate()
    table_columns = columns(
        "id",
        "title",
        "description",
        "engagement_id",
        "engagement__title",
        "engagement__country_id",
        "recommendation_id",
        "roundtable_id",
        "roundtable__date",
        "responsible_agency",
        "priority",
        "due_date",
        "reported_status",
        "progress_pct",
        "verified_status",
        "verified_at",
        "verified",
        "overdue",
        "latest_update__submitted_at",
        "created_at",
    )
    computed = {"responsible_agency", "verified", "overdue"}
    fields = [field for field in sources(table_columns) if field not in computed]
    rows = []
    for row in queryset.values(*fields, "responsible_agency__acronym", "responsible_agency__name"):
        open_ = row["status"] not in CLOSED_STATUSES
        row["responsible_agency"] = row.pop("responsible_agency__acronym") or row.pop("responsible_agency__name")
        row.pop("responsible_agency__name", None)
        row["overdue"] = bool(open_ and row["due_date"] and row["due_date"] < today)
        row["verified"] = bool(row["verified_status"]) and row["verified_status"] == row["status"]
        rows.append(row)
    return Table.read("measures", _("Measures"), table_columns, rows)


def _rounds(queryset, data) -> Table:
    today = timezone.localdate()
    queryset = _filtered(
        queryset.with_status(today), data, **BY_ENGAGEMENT, status="round_status", year="due_date__year"
    )
    table_columns = columns(
        "id",
        "engagement_id",
        "engagement__title",
        "engagement__country_id",
        "opens_on",
        "due_date",
        "round_status",
        "submitted_at",
        "on_time",
        "closed_at",
        "n_measures_asked",
        "coordination",
    )
    computed = {"on_time", "coordination"}
    fields = [field for field in sources(table_columns) if field not in computed]
    rows = []
    annotated = queryset.annotate(n_measures_asked=Count("round_measures", distinct=True), points=coordination_points())
    for row in annotated.values(*fields, "points"):
        submitted = row["submitted_at"]
        row["on_time"] = None if submitted is None else timezone.localdate(submitted) <= row["due_date"]
        row["coordination"] = coordination_score(row.pop("points"))
        rows.append(row)
    return Table.read("followup-rounds", _("Follow-up rounds"), table_columns, rows)


def _indicator_values(queryset, data) -> Table:
    queryset = _filtered(
        queryset,
        data,
        country="round__engagement__country_id",
        engagement="round__engagement_id",
        programme="round__engagement__programme_id",
        year="round__due_date__year",
        q="indicator__name__icontains",
    )
    return _listed(
        "indicator-values",
        _("Indicator values"),
        columns(
            "indicator_id",
            "indicator__name",
            "indicator__unit",
            "indicator__baseline",
            "indicator__target",
            "round__engagement_id",
            "round__engagement__country_id",
            "round_id",
            "round__due_date",
            "value",
            "note",
        ),
        queryset,
    )


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
