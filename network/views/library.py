"""Pages of the library: documents, their versions and downloads."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.shortcuts import render
from django.utils.translation import gettext as _

from ta_portal.bodylimit import body_limit
from ta_portal.pages import criteria
from ta_portal.pages import fetch_for_editing
from ta_portal.pages import list_page
from ta_portal.pages import saving_form_page
from ta_portal.params import int_param
from ta_portal.uploads import LIBRARY
from ta_portal.uploads import stored_file_response

from .. import access
from .. import selectors
from .. import services
from ..forms import DocumentFilterForm
from ..forms import DocumentForm
from ..forms import DocumentReplaceForm
from ..models import Document
from ..models import NetworkEvent
from ._helpers import pk_of


@login_required
def document_list(request):
    def documents(values):
        return selectors.document_search(
            user=request.user,
            **criteria(values, "kind", "language", search="q"),
            country=pk_of(values.get("country")) or "",
            topic=pk_of(values.get("topic")),
            substance=pk_of(values.get("substance")),
            event=pk_of(values.get("event")),
        )

    return list_page(
        request,
        "network/document_list.html",
        filters=DocumentFilterForm(request.GET or None, user=request.user),
        rows=documents,
        can_upload=access.can_upload_document(request.user),
    )


@login_required
@body_limit(LIBRARY.request_max_bytes)
def document_create(request):
    if not access.can_upload_document(request.user):
        raise PermissionDenied
    initial = {}
    event_id = int_param(request.GET.get("event"))
    if event_id is not None:
        initial["events"] = NetworkEvent.objects.visible_to(request.user).filter(pk=event_id)
    return saving_form_page(
        request,
        "network/document_form.html",
        DocumentForm(request.POST or None, request.FILES or None, user=request.user, initial=initial),
        save=lambda form: services.document_create(
            document=form.save(commit=False),
            uploaded=form.cleaned_data["file"],
            by=request.user,
            m2m_save=form.save_m2m,
        ),
        success=_("The document was added to the library."),
        errors_on=None,
        document=None,
    )


@login_required
def document_detail(request, pk: int):
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "network/document_detail.html",
        {
            "document": document,
            "versions": document.versions.select_related("uploaded_by"),
            "can_edit": access.can_edit_document(request.user, document),
            "countries": document.countries.all(),
            "topics": document.topics.all(),
            "substances": document.substances.all(),
            "events": document.events.filter(pk__in=NetworkEvent.objects.visible_to(request.user).values("pk")),
        },
    )


def _document_for_editing(request, pk: int) -> Document:
    return fetch_for_editing(request, selectors.document_get_for_user, Document.objects, pk)


@login_required
def document_edit(request, pk: int):
    document = _document_for_editing(request, pk)
    return saving_form_page(
        request,
        "network/document_form.html",
        DocumentForm(request.POST or None, instance=document, user=request.user),
        save=lambda form: services.document_update(
            document=form.save(commit=False), by=request.user, m2m_save=form.save_m2m
        ),
        success=_("The document was saved."),
        document=document,
    )


@login_required
@body_limit(LIBRARY.request_max_bytes)
def document_replace(request, pk: int):
    document = _document_for_editing(request, pk)
    return saving_form_page(
        request,
        "network/document_replace.html",
        DocumentReplaceForm(request.POST or None, request.FILES or None),
        save=lambda form: services.document_replace(
            document=document, uploaded=form.cleaned_data["file"], by=request.user, note=form.cleaned_data["note"]
        ),
        success=lambda version: _("Version %(n)d is now the current file.") % {"n": version.number},
        then=lambda version: document,
        errors_on="file",
        document=document,
    )


def file_response(version) -> FileResponse:
    """The stored file of a version, as an attachment under its checked type and a safe name."""
    return stored_file_response(version.file, filename=version.original_name, content_type=version.content_type)


@login_required
def document_download(request, pk: int, number: int | None = None):
    document = selectors.document_get_for_user(user=request.user, pk=pk)
    if number is None:
        version = document.current_version
        if version is None:
            raise Http404
    else:
        version = get_object_or_404(document.versions, number=number)
    return file_response(version)
