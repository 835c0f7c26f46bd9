"""The online quiz import page: upload, the dry run's answer, the confirmation."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from ta_portal.bodylimit import body_limit
from ta_portal.uploads import MULTIPART_ALLOWANCE

from ..files import IMPORT_MAX_BYTES
from ..forms import QuizConfirmForm
from ..forms import QuizImportForm
from ..quiz_import import quiz_results_import
from .common import session_for_editing

# How long a checked file waits for its confirmation.
PENDING_SECONDS = 60 * 60


def _pending_key(request, token: str) -> str:
    return f"trainings:quiz-import:{request.user.pk}:{token}"


@login_required
@body_limit(IMPORT_MAX_BYTES + MULTIPART_ALLOWANCE)
def quiz_import(request, pk: int):
    """Upload → the dry run (per participant, the attempt kept and the score; every error) → confirm.

    The checked file waits in the cache, under a random token known to the user who sent it, so
    the confirmation imports exactly what was checked."""
    session = session_for_editing(request, pk)
    form = QuizImportForm()
    outcome, confirm = None, None
    if request.method == "POST" and "token" in request.POST:
        confirm_form = QuizConfirmForm(request.POST)
        pending = (
            cache.get(_pending_key(request, confirm_form.data.get("token", ""))) if confirm_form.is_valid() else None
        )
        if pending is None or pending["session"] != session.pk:
            messages.error(request, _("The checked file is no longer waiting for confirmation; upload it again."))
            return redirect("trainings:quiz_import", pk=session.pk)
        outcome = quiz_results_import(
            session=session,
            upload=SimpleUploadedFile(pending["name"], pending["data"]),
            exam=pending["exam"],
            source=pending["source"],
            dry_run=False,
            enrol_new=confirm_form.cleaned_data["enrol_new"],
            by=request.user,
        )
        if not outcome.errors:
            cache.delete(_pending_key(request, confirm_form.cleaned_data["token"]))
            counts = outcome.summary["results"]
            messages.success(
                request,
                _(
                    "The quiz was imported: %(created)s participants enrolled, %(updated)s scores changed, "
                    "%(unchanged)s unchanged."
                )
                % counts,
            )
            return redirect("trainings:session_results", pk=session.pk)
        form = QuizImportForm(initial={"exam": pending["exam"], "source": pending["source"]})
    elif request.method == "POST":
        form = QuizImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read() if upload.size <= IMPORT_MAX_BYTES else b""
            upload.seek(0)
            outcome = quiz_results_import(
                session=session,
                upload=upload,
                exam=form.cleaned_data["exam"],
                source=form.cleaned_data["source"],
                dry_run=True,
                by=request.user,
            )
            if not outcome.errors:
                token = secrets.token_urlsafe(24)
                cache.set(
                    _pending_key(request, token),
                    {
                        "session": session.pk,
                        "name": upload.name,
                        "data": data,
                        "exam": outcome.exam,
                        "source": outcome.source,
                    },
                    PENDING_SECONDS,
                )
                confirm = QuizConfirmForm(initial={"token": token})
    return render(
        request,
        "trainings/quiz_import.html",
        {"session": session, "form": form, "outcome": outcome, "confirm": confirm},
    )
