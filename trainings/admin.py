from django.contrib import admin

from ta_portal.multilingual import MultilingualAdminMixin

from .models import Certificate
from .models import Course
from .models import Enrolment
from .models import ExamForm
from .models import Question
from .models import ScoreChange
from .models import TrainingSession


@admin.register(Course)
class CourseAdmin(MultilingualAdminMixin, admin.ModelAdmin):
    list_display = ("title", "code", "duration_hours", "is_active")
    list_filter = ("is_active",)
    search_fields = ("title", "code")
    filter_horizontal = ("dimensions",)


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["person", "agency"]
    fields = ("person", "agency", "days_attended", "completed", "pre_score", "post_score")
    # Scores change through the grid, the import or the API, which keep their history.
    readonly_fields = ("pre_score", "post_score")


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "modality", "start_date", "end_date", "engagement")
    list_filter = ("kind", "modality", "countries")
    search_fields = ("title",)
    date_hierarchy = "start_date"
    autocomplete_fields = ["engagement", "course"]
    filter_horizontal = ("countries", "trainers")
    inlines = [EnrolmentInline]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(ExamForm)
class ExamFormAdmin(admin.ModelAdmin):
    list_display = ("session", "code")
    inlines = [QuestionInline]


@admin.register(ScoreChange)
class ScoreChangeAdmin(admin.ModelAdmin):
    list_display = ("enrolment", "phase", "old_score", "new_score", "source", "changed_by", "changed_at")
    list_filter = ("phase", "source")
    list_select_related = ("enrolment__person", "enrolment__session", "changed_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("code", "enrolment", "issued_at", "revoked_at")
    search_fields = ("code", "enrolment__person__full_name")
    list_select_related = ("enrolment__person", "enrolment__session")
    readonly_fields = ("code", "issued_at", "issued_by")
