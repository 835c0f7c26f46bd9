"""Writes of the network layer: each a function under a transaction, tasks dispatched on commit."""

from functools import reduce
from operator import add

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.db import transaction
from django.db.models import Case
from django.db.models import Max
from django.db.models import Value
from django.db.models import When
from django.utils import timezone
from django.utils.translation import gettext as _

from engagements.models import Person
from notifications.models import Notification
from notifications.services import notify
from ta_portal.filetext import file_text
from ta_portal.fulltext import SIMPLE
from ta_portal.fulltext import STEMMED
from ta_portal.fulltext import configs_for
from ta_portal.uploads import LIBRARY
from ta_portal.uploads import check_upload

# tasks imports this module back; both only look each other up when called.
from . import tasks
from .invitations import send_invitation_email
from .models import Document
from .models import DocumentVersion
from .models import ExpertProfile
from .models import ExternalRecommendation
from .models import Network
from .models import NetworkEvent
from .models import NetworkMembership
from .models import Registration
from .notices import document_audience

# ---------------------------------------------------------------------------------------------
# Library


def _store_version(*, document: Document, uploaded, by, note: str, stored: list[str]) -> DocumentVersion:
    checked = check_upload(uploaded, policy=LIBRARY)
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        note=note,
        uploaded_by=by,
        **checked.record_fields(),
    )
    # The stored name is random; only the checked extension survives from the uploader's name.
    version.file.save(f"upload.{checked.extension}", uploaded, save=False)
    stored.append(version.file.name)
    version.save()
    document.current_version = version
    document.save(update_fields=["current_version", "updated_at"])
    _document_index(document.pk)
    # The file's words are read by a worker: a large PDF must not hold up the upload.
    transaction.on_commit(lambda pk=document.pk: tasks.read_document_text.delay(pk), robust=True)
    return version


def _removing_files_on_failure(write):
    """Run ``write(stored)`` in a transaction; files it stored are deleted again if it fails."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return write(stored)
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise


def document_create(*, document: Document, uploaded, by, m2m_save=None) -> Document:
    """A new library document with its first file version."""

    def write(stored):
        document.created_by = by
        document.full_clean(exclude=["current_version"])
        document.save()
        if m2m_save is not None:
            m2m_save()
        _store_version(document=document, uploaded=uploaded, by=by, note="", stored=stored)
        _notify_document_shared(document, by=by)
        return document

    return _removing_files_on_failure(write)


def _notify_document_shared(document: Document, *, by, had_access=frozenset()) -> None:
    """Tell the document's audience it is shared with them, once each: not those who could read it
    already (``had_access``: widening an audience tells only those it adds), nor those told before
    (an audience narrowed and widened again)."""
    told = Notification.objects.filter(kind="network.document_shared", url=document.get_absolute_url())
    notify(
        recipients=set(document_audience(document).values_list("pk", flat=True))
        - set(had_access)
        - set(told.values_list("recipient_id", flat=True)),
        kind="network.document_shared",
        params={"title": document.title},
        url=document.get_absolute_url(),
        exclude=by,
    )


def document_replace(*, document: Document, uploaded, by, note: str = "") -> DocumentVersion:
    """A new current file for the document; earlier versions are kept and stay downloadable."""

    def write(stored):
        # Lock the document so two replacements at once cannot take the same version number.
        Document.objects.select_for_update().filter(pk=document.pk).first()
        return _store_version(document=document, uploaded=uploaded, by=by, note=note, stored=stored)

    return _removing_files_on_failure(write)


@transaction.atomic
def document_update(*, document: Document, by, m2m_save=None) -> Document:
    """Save the document's edited fields; anyone its new audience adds is told it is shared."""
    document.full_clean(exclude=["current_version"])
    stored = Document.objects.get(pk=document.pk)
    had_access = set(document_audience(stored).values_list("pk", flat=True))
    document.save()
    if m2m_save is not None:
        m2m_save()
    _document_index(document.pk)
    _notify_document_shared(document, by=by, had_access=had_access)
    return document


# The fields search reads, and their weight in the ranking (the title counts most).
_INDEXED_FIELDS = (("title", "A"), ("authors", "B"), ("description", "B"), ("text", "C"))


def _document_search_vector():
    """A document's search vector, as SQL: its fields in each configuration of its own language (see
    ta_portal/fulltext.py), so a query in the reader's language or word for word finds it."""
    languages = {code: configs_for(code) for code in STEMMED}
    positions = len(configs_for(next(iter(STEMMED))))
    configs = [
        Case(*(When(language=code, then=Value(each[index])) for code, each in languages.items()), default=Value(SIMPLE))
        for index in range(positions)
    ]
    return reduce(
        add,
        (SearchVector(field, config=config, weight=weight) for field, weight in _INDEXED_FIELDS for config in configs),
    )


def document_index_all() -> None:
    """Recompute every document's search vector (after the text-search configurations change)."""
    _document_index()


def _document_index(document_id: int | None = None) -> None:
    """Recompute the search vector of one document (all, without an id), from its stored fields.
    PostgreSQL only: elsewhere search reads the fields themselves."""
    if connection.vendor != "postgresql":
        return
    documents = Document.objects.all() if document_id is None else Document.objects.filter(pk=document_id)
    documents.update(search_vector=_document_search_vector())


def document_read_text(*, document_id: int) -> bool:
    """Read the words of the document's current file into ``text`` and index them; False when
    there is nothing to do (gone, no file, or this file's text already read). Idempotent: the text
    names the file it came from, and is stored only while that file is still the current one."""
    document = Document.objects.select_related("current_version").filter(pk=document_id).first()
    if document is None or document.current_version is None:
        return False
    version = document.current_version
    if document.text_sha256 == version.sha256:
        return False
    with version.file.open("rb") as stored:
        data = stored.read()
    text = file_text(data, version.content_type)
    with transaction.atomic():
        stored_now = Document.objects.filter(pk=document.pk, current_version=version).update(
            text=text, text_sha256=version.sha256
        )
        if stored_now:
            _document_index(document.pk)
    return bool(stored_now)


def documents_read_text(*, again: bool = False) -> int:
    """Read the text of every document whose current file's text is not read yet (every document,
    ``again``) and refresh every search vector: for documents stored before search read their files.
    Returns how many documents' texts were read."""
    if again:
        Document.objects.update(text_sha256="")
    read = 0
    for document_id in Document.objects.filter(current_version__isnull=False).values_list("pk", flat=True):
        read += document_read_text(document_id=document_id)
    _document_index()
    return read


# ---------------------------------------------------------------------------------------------
# Networks


@transaction.atomic
def network_create(*, network: Network, by, m2m_save=None) -> Network:
    """A new network; its creator coordinates it."""
    network.full_clean()
    network.save()
    if m2m_save is not None:
        m2m_save()
    NetworkMembership.objects.get_or_create(network=network, user=by, defaults={"is_coordinator": True})
    return network


@transaction.atomic
def network_set_member(*, network: Network, user, is_coordinator: bool) -> NetworkMembership:
    membership, _created = NetworkMembership.objects.update_or_create(
        network=network, user=user, defaults={"is_coordinator": is_coordinator}
    )
    return membership


@transaction.atomic
def network_remove_member(*, network: Network, user) -> None:
    remaining = NetworkMembership.objects.filter(network=network, is_coordinator=True).exclude(user=user)
    if NetworkMembership.objects.filter(network=network, user=user, is_coordinator=True).exists() and not remaining:
        raise ValidationError(_("A network keeps at least one coordinator."))
    NetworkMembership.objects.filter(network=network, user=user).delete()


# ---------------------------------------------------------------------------------------------
# Events

# A change to any of these moves the meeting, so calendars must replace the invitation.
_SCHEDULE_FIELDS = ("title", "start_date", "end_date", "venue", "city", "online_url", "modality")


@transaction.atomic
def event_save(*, event: NetworkEvent, by, m2m_save=None) -> NetworkEvent:
    """Create or update an event; a creator becomes an organiser; a moved meeting re-invites."""
    creating = event.pk is None
    moved = False
    if not creating:
        stored = NetworkEvent.objects.select_for_update().filter(pk=event.pk).values(*_SCHEDULE_FIELDS).first()
        moved = bool(stored) and any(stored[field] != getattr(event, field) for field in _SCHEDULE_FIELDS)
        if moved:
            event.sequence += 1
    else:
        event.created_by = by
    event.full_clean()
    event.save()
    if m2m_save is not None:
        m2m_save()
    if creating and by is not None:
        event.organisers.add(by)
    if not creating and event.sequence:
        event_queue_invitations(event=event)
        if moved:
            _notify_event(event, kind="network.event_changed", users=_registered_users(event), by=by)
    return event


def _registered_users(event: NetworkEvent):
    return event.registrations.active().filter(person__user__isnull=False).values_list("person__user", flat=True)


def _notify_event(event: NetworkEvent, *, kind: str, users, by) -> None:
    notify(
        recipients=users,
        kind=kind,
        params={"title": event.title, "start": event.start_date.isoformat(), "end": event.end_date.isoformat()},
        url=event.get_absolute_url(),
        exclude=by,
    )


def event_queue_invitations(*, event: NetworkEvent) -> int:
    """Queue the invitation for every participant who has not received this revision of the event."""
    ids = list(
        event.registrations.active()
        .exclude(person__email="")
        .exclude(invitation_sequence=event.sequence)
        .values_list("pk", flat=True)
    )
    for pk in ids:
        transaction.on_commit(lambda pk=pk: tasks.send_event_invitation.delay(pk), robust=True)
    return len(ids)


@transaction.atomic
def event_register(
    *, event: NetworkEvent, person: Person, by, role: str = Registration.ParticipantRole.PARTICIPANT
) -> Registration:
    """Register a person (again, if they had cancelled); sends them the invitation once."""
    if not event.registration_open and not NetworkEvent.objects.editable_by(by).filter(pk=event.pk).exists():
        raise ValidationError(_("Registration for this event is closed."))
    registration, created = Registration.objects.select_for_update().get_or_create(
        event=event, person=person, defaults={"role": role, "registered_by": by}
    )
    if not created:
        if registration.status != Registration.Status.CANCELLED:
            raise ValidationError(_("%(name)s is already registered.") % {"name": person.full_name})
        registration.status = Registration.Status.REGISTERED
        registration.role = role
        registration.registered_by = by
        registration.save(update_fields=["status", "role", "registered_by"])
    if person.email:
        # robust: a mail server that is down must not undo or fail the registration itself.
        transaction.on_commit(lambda: tasks.send_event_invitation.delay(registration.pk), robust=True)
    if person.user_id:
        _notify_event(event, kind="network.event_invited", users=[person.user_id], by=by)
    return registration


@transaction.atomic
def event_register_new_person(*, event: NetworkEvent, person: Person, by, role: str) -> Registration:
    person.full_clean()
    person.save()
    return event_register(event=event, person=person, by=by, role=role)


@transaction.atomic
def registration_cancel(*, registration: Registration) -> None:
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.CANCELLED, attended=False)


@transaction.atomic
def event_record_attendance(*, event: NetworkEvent, attended_ids) -> int:
    """Mark exactly these registrations as attended (the others of the event as absent)."""
    active = event.registrations.active()
    active.filter(pk__in=attended_ids).update(attended=True)
    active.exclude(pk__in=attended_ids).update(attended=False)
    return active.filter(attended=True).count()


def registration_send_invitation(*, registration_id: int) -> bool:
    """E-mail one participant the event's invitation (.ics attached), once per revision of the event.

    The send is claimed first with a conditional update, so two workers (or a retried task) never
    both send the same revision; a failed send releases the claim so a retry can send it.
    """
    registration = (
        Registration.objects.select_related("event", "person", "person__user")
        .filter(pk=registration_id, status=Registration.Status.REGISTERED)
        .first()
    )
    if registration is None or not registration.person.email:
        return False
    sequence = registration.event.sequence
    claimed = (
        Registration.objects.filter(pk=registration.pk)
        .exclude(invitation_sequence=sequence)
        .update(invitation_sequence=sequence, invitation_sent_at=timezone.now())
    )
    if not claimed:
        return False
    previous = registration.invitation_sequence
    try:
        send_invitation_email(registration)
    except Exception:
        Registration.objects.filter(pk=registration.pk, invitation_sequence=sequence).update(
            invitation_sequence=previous, invitation_sent_at=registration.invitation_sent_at
        )
        raise
    return True


# ---------------------------------------------------------------------------------------------
# Directory


@transaction.atomic
def expert_profile_save(*, profile: ExpertProfile, by, m2m_save=None) -> ExpertProfile:
    """Save a directory entry; record who recorded the consent when the person is first listed."""
    was_listed = False
    if profile.pk:
        was_listed = ExpertProfile.objects.filter(pk=profile.pk, opted_in=True).exists()
    if profile.opted_in and not was_listed:
        profile.consent_recorded_at = timezone.now()
        profile.consent_recorded_by = by
    profile.full_clean()
    profile.save()
    if m2m_save is not None:
        m2m_save()
    return profile


# ---------------------------------------------------------------------------------------------
# External recommendations


@transaction.atomic
def external_recommendation_save(*, recommendation: ExternalRecommendation, by) -> ExternalRecommendation:
    if recommendation.pk is None:
        recommendation.created_by = by
    recommendation.full_clean()
    recommendation.save()
    return recommendation
