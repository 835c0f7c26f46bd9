"""Scores: the grid and its live preview, the import, downloads, history, exams and question scores, results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from ta_portal.bodylimit import body_limit
from ta_portal.exports import export_view
from ta_portal.pagination import paginate
from ta_portal.tabular import CSV_CONTENT_TYPE
from ta_portal.tabular import XLSX_CONTENT_TYPE
from ta_portal.tabular import file_download
from ta_portal.tabular import write_csv
from ta_portal.tabular import write_xlsx
from ta_portal.uploads import MULTIPART_ALLOWANCE

from .. import charts
from .. import selectors
from .. import services
from ..access import can_edit_session
from ..files import IMPORT_MAX_BYTES
from ..files import ImportFileError
from ..files import read_results_file
from ..files import results_sheet
from ..forms import ExamFormForm
from ..forms import ImportForm
from ..forms import QuestionFormSet
from ..models import Enrolment
from ..models import ExamForm
from ..models import ItemScore
from ..models import Phase
from ..models import ScoreChange
from ..results import InvalidResultsError
from ..results import parse_score
from ..results import results_upsert
from ..statistics import ResultRow
from ..statistics import prepost_summary
from ..templatetags.trainings_tags import formatted_figures
from ..templatetags.trainings_tags import score
from .common import session_for_editing

# Scores -----------------------------------------------------------------------------------------

GRID_FIELDS = ("pre_form", "pre_score", "post_form", "post_score")


def _grid_entries(request, enrolments, *, with_forms: bool) -> dict[int, dict]:
    fields = GRID_FIELDS if with_forms else ("pre_score", "post_score")
    return {
        e.pk: {name: request.POST.get(f"{name}-{e.pk}", "") for name in fields}
        for e in enrolments
        if f"pre_score-{e.pk}" in request.POST
    }


@login_required
def score_grid(request, pk: int):
    """One page for the whole session: participants as rows, pre and post as columns."""
    session = session_for_editing(request, pk)
    enrolments = list(selectors.enrolments_of(session))
    forms = list(session.exam_forms.all())
    errors, submitted = {}, {}
    if request.method == "POST":
        submitted = _grid_entries(request, enrolments, with_forms=bool(forms))
        try:
            summary = services.scores_save(session=session, entries=submitted, by=request.user)
        except InvalidResultsError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                ngettext(
                    "Scores saved: %(n)s change recorded.",
                    "Scores saved: %(n)s changes recorded.",
                    summary.score_changes,
                )
                % {"n": summary.score_changes},
            )
            return redirect("trainings:scores", pk=session.pk)
    for enrolment in enrolments:
        values = submitted.get(enrolment.pk, {})
        row_errors = errors.get(str(enrolment.pk), {})
        enrolment.cells = {
            name: {
                "value": values.get(name, _cell_value(enrolment, name)),
                "errors": row_errors.get(name, []),
            }
            for name in GRID_FIELDS
        }
    return render(
        request,
        "trainings/score_grid.html",
        {
            "session": session,
            "enrolments": enrolments,
            "forms": forms,
            "errors": errors,
            "outcome": selectors.session_outcome(session),
            "error_count": sum(len(m) for row in errors.values() for m in row.values()),
        },
    )


def _cell_value(enrolment: Enrolment, name: str) -> str:
    value = getattr(enrolment, name)
    if name.endswith("_form"):
        return value.code if value else ""
    return score(value)


@login_required
@require_POST
def score_preview(request, pk: int):
    """The statistics of the grid as typed, not saved: the same function as everywhere, on the draft."""
    session = session_for_editing(request, pk)
    enrolments = list(session.enrolments.values_list("pk", "pre_score", "post_score", "person__sex", "agency_id"))
    rows, errors = [], {}
    for enrolment_id, pre, post, sex, agency_id in enrolments:
        values = {"pre_score": pre, "post_score": post}
        for name in values:
            key = f"{name}-{enrolment_id}"
            if key not in request.POST:
                continue
            try:
                values[name] = parse_score(request.POST[key], session.max_score)
            except ValueError as exc:
                errors[key] = str(exc)
                values[name] = None
        rows.append(
            ResultRow(values["pre_score"], values["post_score"], session.max_score, session.pass_mark, sex, agency_id)
        )
    return JsonResponse({"figures": formatted_figures(prepost_summary(rows)), "errors": errors})


@login_required
@body_limit(IMPORT_MAX_BYTES + MULTIPART_ALLOWANCE)
def score_import(request, pk: int):
    session = session_for_editing(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, file_error = [], None
    if request.method == "POST" and form.is_valid():
        try:
            rows = read_results_file(form.cleaned_data["file"])
            summary = results_upsert(session=session, rows=rows, by=request.user, source=ScoreChange.Source.IMPORT)
        except ImportFileError as exc:
            file_error = str(exc)
        except InvalidResultsError as exc:
            errors = sorted(
                (
                    (key, field, message)
                    for key, fields in exc.errors.items()
                    for field, ms in fields.items()
                    for message in ms
                ),
                key=lambda e: (int(e[0]) if e[0].isdigit() else 0, e[1]),
            )
        else:
            messages.success(
                request,
                _(
                    "Imported %(rows)s rows: %(enrolled)s newly enrolled (%(people)s new people), "
                    "%(changes)s score changes."
                )
                % {
                    "rows": len(rows),
                    "enrolled": summary.enrolled,
                    "people": summary.people_created,
                    "changes": summary.score_changes,
                },
            )
            return redirect("trainings:session_detail", pk=session.pk)
    return render(
        request,
        "trainings/import.html",
        {"session": session, "form": form, "row_errors": errors, "file_error": file_error},
    )


@export_view
@require_GET
def results_download(request, pk: int, fmt: str):
    """The session's participants and scores in the import's columns: a template to fill in and
    import back (re-importing updates the same people), and the export of the results."""
    session = session_for_editing(request, pk)
    columns, rows = results_sheet(session)
    name = f"results-{slugify(session.title)[:40] or session.pk}-{session.pk}"
    if fmt == "xlsx":
        return file_download(write_xlsx(columns, rows, title="results"), f"{name}.xlsx", XLSX_CONTENT_TYPE)
    return file_download(write_csv(columns, rows), f"{name}.csv", CSV_CONTENT_TYPE)


@login_required
def score_history(request, pk: int):
    session = session_for_editing(request, pk)
    changes = (
        ScoreChange.objects.filter(enrolment__session=session)
        .select_related("enrolment__person", "changed_by")
        .order_by("-changed_at", "-pk")
    )
    return render(
        request,
        "trainings/score_history.html",
        {"session": session, "page": paginate(request, changes, per_page=50)},
    )


# Exams and question scores ----------------------------------------------------------------------


@login_required
def exam_forms(request, pk: int):
    session = session_for_editing(request, pk)
    form = ExamFormForm(request.POST or None, session=session)
    if request.method == "POST" and form.is_valid():
        exam_form = form.save()
        messages.success(request, _("Exam form %(code)s was added: now add its questions.") % {"code": exam_form.code})
        return redirect("trainings:exam_form_edit", pk=session.pk, form_pk=exam_form.pk)
    return render(
        request,
        "trainings/exam_forms.html",
        {"session": session, "form": form, "exam_forms": session.exam_forms.prefetch_related("questions")},
    )


@login_required
def exam_form_edit(request, pk: int, form_pk: int):
    session = session_for_editing(request, pk)
    exam_form = get_object_or_404(ExamForm, session=session, pk=form_pk)
    formset = QuestionFormSet(request.POST or None, instance=exam_form, max_score=session.max_score)
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
        messages.success(request, _("The questions were saved."))
        return redirect("trainings:exam_forms", pk=session.pk)
    return render(
        request, "trainings/exam_form_edit.html", {"session": session, "exam_form": exam_form, "formset": formset}
    )


@login_required
def item_scores(request, pk: int, phase: str, form_pk: int):
    """Question scores of one exam form in one phase; complete sheets set the exam score."""
    session = session_for_editing(request, pk)
    if phase not in Phase.values:
        raise Http404
    exam_form = get_object_or_404(ExamForm, session=session, pk=form_pk)
    questions = list(exam_form.questions.all())
    form_field = f"{phase}_form"
    enrolments = [e for e in selectors.enrolments_of(session) if getattr(e, f"{form_field}_id") in (None, exam_form.pk)]
    stored = {}
    items = ItemScore.objects.filter(enrolment__session=session, phase=phase, question__form=exam_form)
    for enrolment_id, question_id, points in items.values_list("enrolment_id", "question_id", "points"):
        stored[(enrolment_id, question_id)] = points
    errors = {}
    if request.method == "POST":
        entries = {
            e.pk: {q.pk: request.POST.get(f"item-{e.pk}-{q.pk}", "") for q in questions}
            for e in enrolments
            if any(request.POST.get(f"item-{e.pk}-{q.pk}", "").strip() for q in questions)
            or any((e.pk, q.pk) in stored for q in questions)
        }
        try:
            services.item_scores_save(session=session, phase=phase, form=exam_form, entries=entries, by=request.user)
        except InvalidResultsError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Question scores were saved."))
            return redirect("trainings:item_scores", pk=session.pk, phase=phase, form_pk=exam_form.pk)
    for enrolment in enrolments:
        row_errors = errors.get(str(enrolment.pk), {})
        enrolment.item_cells = [
            {
                "question": q,
                "value": request.POST.get(f"item-{enrolment.pk}-{q.pk}", "")
                if errors
                else score(stored.get((enrolment.pk, q.pk))),
                "errors": row_errors.get(f"q{q.number}", []),
            }
            for q in questions
        ]
    return render(
        request,
        "trainings/item_scores.html",
        {
            "session": session,
            "exam_form": exam_form,
            "phase": phase,
            "phase_label": Phase(phase).label,
            "questions": questions,
            "enrolments": enrolments,
            "errors": errors,
        },
    )


# Results ----------------------------------------------------------------------------------------


@login_required
def session_results(request, pk: int):
    session = selectors.session_get_for_user(user=request.user, pk=pk)
    can_edit = can_edit_session(request.user, session)
    outcome = selectors.session_outcome(session)
    enrolments = list(selectors.enrolments_of(session))
    return render(
        request,
        "trainings/session_results.html",
        {
            "session": session,
            "can_edit": can_edit,
            "outcome": outcome,
            "agency_names": selectors.agency_names(outcome["by_agency"]),
            "chart": charts.participants_chart(session, enrolments, with_names=can_edit),
            "items": selectors.item_analysis(session),
            "enrolments": enrolments if can_edit else None,
        },
    )
