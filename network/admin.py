from django.contrib import admin

from ta_portal.admin import HistoryInline

from .models import AgendaItem
from .models import Document
from .models import DocumentVersion
from .models import EventOutcome
from .models import ExpertProfile
from .models import ExternalRecommendation
from .models import Network
from .models import NetworkEvent
from .models import NetworkMembership
from .models import Registration


class MembershipInline(admin.TabularInline):
    model = NetworkMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym")
    search_fields = ("name", "acronym")
    filter_horizontal = ("countries",)
    inlines = [MembershipInline]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class OutcomeInline(admin.TabularInline):
    model = EventOutcome
    extra = 0


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    autocomplete_fields = ["person"]
    readonly_fields = ("registered_at", "invitation_sent_at")
    exclude = ("registered_by", "invitation_sequence")


@admin.register(NetworkEvent)
class NetworkEventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "start_date", "end_date", "city", "host_country")
    list_filter = ("kind", "modality")
    search_fields = ("title", "city")
    date_hierarchy = "start_date"
    filter_horizontal = ("countries", "organisers")
    inlines = [AgendaInline, RegistrationInline, OutcomeInline]


class VersionInline(HistoryInline):
    # Files are added through the library's pages, which check them; here they are only listed.
    model = DocumentVersion
    fields = ("number", "original_name", "content_type", "size", "uploaded_by", "uploaded_at", "note")
    readonly_fields = fields


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "language", "audience", "created_at")
    list_filter = ("kind", "audience", "language")
    search_fields = ("title", "description", "authors")
    filter_horizontal = ("countries", "topics", "substances", "events")
    inlines = [VersionInline]


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ("person", "opted_in", "show_contact", "updated_at")
    list_filter = ("opted_in", "show_contact")
    search_fields = ("person__full_name", "expertise")
    autocomplete_fields = ["person"]
    readonly_fields = ("consent_recorded_at", "consent_recorded_by")


@admin.register(ExternalRecommendation)
class ExternalRecommendationAdmin(admin.ModelAdmin):
    list_display = ("country", "source", "round", "date", "reference")
    list_filter = ("source", "country")
    search_fields = ("text", "round", "reference", "theme")
    autocomplete_fields = ["engagement"]
