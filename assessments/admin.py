from django.contrib import admin
from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ta_portal import datacache
from ta_portal.admin import HistoryInline
from ta_portal.multilingual import MultilingualAdminMixin

from .models import Assessment
from .models import Dimension
from .models import DimensionScore
from .models import EvidenceMeeting
from .models import Finding
from .models import Framework
from .models import LegalInstrument
from .models import Recommendation
from .models import Roundtable
from .models import RoundtableAttendance
from .models import StatusChange

DIMENSION_FIELDS = ("order", "code", "name", "description", "level_1", "level_2", "level_3", "level_4", "level_5")


class DimensionInline(MultilingualAdminMixin, admin.StackedInline):
    model = Dimension
    extra = 0
    fields = (*DIMENSION_FIELDS, "translations")

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.in_use

    def get_readonly_fields(self, request, obj=None):
        # A version in use keeps its texts; only their translations may still be improved.
        return DIMENSION_FIELDS if self._frozen(obj) else ()

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@transaction.atomic
def framework_new_version(framework: Framework) -> Framework:
    """Copy a framework version and its dimensions into the next version number, ready to edit."""
    latest = Framework.objects.filter(code=framework.code).aggregate(v=Max("version"))["v"] or framework.version
    copy = Framework.objects.create(
        code=framework.code,
        version=latest + 1,
        name=framework.name,
        description=framework.description,
        translations=framework.translations,
    )
    Dimension.objects.bulk_create(
        Dimension(
            framework=copy,
            **{field: getattr(dimension, field) for field in DIMENSION_FIELDS},
            translations=dimension.translations,
        )
        for dimension in framework.dimensions.all()
    )
    datacache.changed(Dimension)
    return copy


@admin.register(Framework)
class FrameworkAdmin(MultilingualAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code", "version", "dimension_count", "used")
    list_filter = ("code",)
    inlines = [DimensionInline]
    actions = ["make_new_version"]

    @admin.display(description=_("dimensions"))
    def dimension_count(self, obj):
        return obj.dimensions.count()

    @admin.display(description=_("used by assessments"), boolean=True)
    def used(self, obj):
        return obj.in_use

    def get_readonly_fields(self, request, obj=None):
        # A version in use is frozen; edits go into a new version (action "Make a new version").
        return ("code", "version", "name", "description") if obj is not None and obj.in_use else ()

    @admin.action(description=_("Make a new, editable version of the selected frameworks"))
    def make_new_version(self, request, queryset):
        for framework in queryset:
            copy = framework_new_version(framework)
            self.message_user(
                request,
                gettext("Created %(framework)s; edit it, new assessments will be offered it.") % {"framework": copy},
                messages.SUCCESS,
            )


class StatusChangeInline(HistoryInline):
    model = StatusChange
    readonly_fields = ("from_status", "to_status", "reason", "changed_by", "changed_at")


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("title", "engagement", "status", "start_date", "framework")
    list_filter = ("status", "framework", "engagement__country")
    search_fields = ("title",)
    autocomplete_fields = ["engagement", "agencies", "lead_assessors"]
    readonly_fields = ("status",)
    inlines = [StatusChangeInline]


admin.site.register(EvidenceMeeting)
admin.site.register(LegalInstrument)
admin.site.register(DimensionScore)


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "assessment", "dimension", "kind", "priority")
    list_filter = ("kind", "priority")


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "priority", "responsible_agency", "timeframe")
    list_filter = ("priority", "timeframe")


class AttendanceInline(admin.TabularInline):
    model = RoundtableAttendance
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Roundtable)
class RoundtableAdmin(admin.ModelAdmin):
    list_display = ("title", "engagement", "date", "online")
    list_filter = ("online",)
    inlines = [AttendanceInline]
    autocomplete_fields = ["engagement", "agencies"]
