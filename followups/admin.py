from django.contrib import admin

from .models import CoordinationResponse
from .models import Evidence
from .models import FollowupRound
from .models import FollowupSchedule
from .models import Indicator
from .models import IndicatorValue
from .models import Measure
from .models import ReminderLog
from .models import StatusUpdate


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["title", "engagement", "status", "verified_status", "due_date", "priority"]
    list_filter = ["status", "priority", "engagement__country"]
    search_fields = ["title", "description"]
    raw_id_fields = ["engagement", "recommendation", "roundtable", "responsible_agency"]
    readonly_fields = ["status", "progress_pct", "verified_status", "verified_at", "latest_update"]


@admin.register(FollowupSchedule)
class FollowupScheduleAdmin(admin.ModelAdmin):
    list_display = ["engagement", "start_date", "cadence_months", "response_days", "end_date", "active"]


@admin.register(FollowupRound)
class FollowupRoundAdmin(admin.ModelAdmin):
    list_display = ["engagement", "opens_on", "due_date", "submitted_at", "closed_at"]
    list_filter = ["engagement__country"]
    date_hierarchy = "due_date"


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    # Reports are the record of who said what when: read-only here, changed through the portal.
    list_display = ["measure", "round", "state", "status", "progress_pct", "submitted_by", "submitted_at"]
    list_filter = ["state", "status"]
    inlines = [EvidenceInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "engagement", "unit", "substance", "active"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "round", "value", "reported_by"]


@admin.register(CoordinationResponse)
class CoordinationResponseAdmin(admin.ModelAdmin):
    list_display = ["round", "score", "answered_by", "answered_at"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["kind", "email", "round", "status", "attempts", "sent_at", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in ReminderLog._meta.fields]

    def has_add_permission(self, request):
        return False
