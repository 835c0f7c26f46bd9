"""Where each form of the portal is submitted, for the form fuzz (tests/test_form_fuzz.py).

Every form class that a portal view uses needs a target here (or a place in ``BASES``); the fuzz
discovers the classes itself and fails when one has no target.
"""

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from importlib import import_module
from inspect import isclass

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import forms as accounts_forms
from accounts import lockout
from accounts import security_views
from assessments import forms as assessments_forms
from audit import forms as audit_forms
from engagements import forms as engagements_forms
from finance import forms as finance_forms
from followups import forms as followups_forms
from history import forms as history_forms
from network import forms as network_forms
from notifications import forms as notifications_forms
from outcomes import forms as outcomes_forms
from reports import forms as reports_forms
from search import forms as search_forms
from surveys import forms as surveys_forms
from surveys.tokens import token_for
from trainings import forms as trainings_forms

# Classes that only serve as bases of other forms (each subclass has its own target).
BASES = {
    network_forms.SearchForm,
    assessments_forms._AssessmentPartForm,
    surveys_forms.QuestionFormBase,
    surveys_forms.TemplateFormBase,
    finance_forms.MoneyForm,
    # The views bind the multilingual forms made of these (ta_portal.multilingual.multilingual_form).
    outcomes_forms._IndicatorForm,
    outcomes_forms._NarrativeForm,
}


@dataclass(frozen=True)
class Target:
    """One page that binds ``form``: ``url(world)`` receives the garbage by ``method``.

    ``page(world)`` is where the form is shown (default: the same URL) and tells which fields to
    fill; ``fixed`` fields are always sent (which of a page's forms is posted); ``user`` is the
    role (a key of ``world.users``) that submits, or None for a signed-out visitor; ``settings`` are
    overridden while the page is read and the garbage submitted.
    """

    form: type
    url: Callable
    method: str = "POST"
    user: str | None = "admin"
    page: Callable | None = None
    fixed: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.form.__module__}.{self.form.__qualname__}@{self.method}"


def _u(name: str, *attrs: str, query: str = ""):
    """The URL of a named route with the pk (or code) of the world's objects named by ``attrs``."""

    def build(world):
        args = [getattr(world, attr).code if attr.endswith("programme") else getattr(world, attr).pk for attr in attrs]
        return reverse(name, args=args) + query

    return build


def _password_reset_confirm(world):
    user = world.users["viewer"]
    return reverse(
        "accounts:password_reset_confirm",
        args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
    )


TARGETS = [
    # accounts
    Target(accounts_forms.ProfileForm, _u("accounts:profile")),
    Target(notifications_forms.DigestForm, _u("notifications:digest"), page=_u("accounts:profile"), user="viewer"),
    Target(lockout.LockoutAuthenticationForm, _u("accounts:login"), user=None),
    Target(accounts_forms.PortalPasswordResetForm, _u("accounts:password_reset"), user=None),
    Target(auth_forms.PasswordChangeForm, _u("accounts:password_change"), user="viewer"),
    # The reset link redirects to a URL holding the token in the session: the test follows it.
    Target(auth_forms.SetPasswordForm, _password_reset_confirm, user=None),
    Target(security_views.CodeForm, _u("accounts:otp_setup"), user="viewer"),
    # The enrolment page shows its code form only to a role that must use two factors and has none.
    Target(
        security_views.EnrolmentCodeForm,
        _u("accounts:otp_enrol"),
        user="manager",
        settings={"OTP_REQUIRED_ROLES": ["manager"]},
    ),
    # audit
    Target(audit_forms.AuditFilterForm, _u("audit:list"), method="GET"),
    Target(audit_forms.FailedLoginFilterForm, _u("audit:failed_logins"), method="GET"),
    # engagements
    Target(engagements_forms.EngagementForm, _u("engagements:create"), user="manager"),
    Target(engagements_forms.EngagementForm, _u("engagements:edit", "engagement"), user="manager"),
    Target(engagements_forms.AgencyForm, _u("engagements:agency_create"), user="manager"),
    Target(engagements_forms.AgencyForm, _u("engagements:agency_edit", "agency"), user="manager"),
    Target(engagements_forms.PersonForm, _u("engagements:person_create"), user="manager"),
    Target(engagements_forms.PersonForm, _u("engagements:person_edit", "person"), user="manager"),
    Target(engagements_forms.ListFilterForm, _u("engagements:person_list"), method="GET"),
    Target(engagements_forms.EngagementFilterForm, _u("engagements:list"), method="GET"),
    Target(engagements_forms.AgencyFilterForm, _u("engagements:agency_list"), method="GET"),
    Target(
        engagements_forms.PhaseAdvanceForm,
        _u("engagements:advance", "engagement"),
        user="manager",
        page=_u("home"),
    ),
    Target(engagements_forms.ProgrammeCertificateForm, _u("engagements:programme_certificates", "programme")),
    # assessments
    Target(assessments_forms.AssessmentForm, _u("assessments:create"), user="manager"),
    Target(assessments_forms.AssessmentForm, _u("assessments:edit", "assessment"), user="manager"),
    Target(
        assessments_forms.StatusForm,
        _u("assessments:status", "assessment"),
        page=_u("assessments:detail", "assessment"),
    ),
    Target(assessments_forms.ScoresForm, _u("assessments:scores", "assessment")),
    Target(assessments_forms.MeetingForm, _u("assessments:meeting_create", "assessment")),
    Target(assessments_forms.InstrumentForm, _u("assessments:instrument_create", "assessment")),
    Target(assessments_forms.FindingForm, _u("assessments:finding_create", "assessment")),
    Target(assessments_forms.RecommendationForm, _u("assessments:recommendation_create", "finding")),
    Target(assessments_forms.RoundtableForm, _u("assessments:roundtable_create"), user="manager"),
    Target(assessments_forms.RoundtableForm, _u("assessments:roundtable_edit", "roundtable"), user="manager"),
    Target(assessments_forms.AttendanceForm, _u("assessments:roundtable_attendance", "roundtable")),
    Target(
        assessments_forms.NewAttendeeForm,
        _u("assessments:roundtable_attendance", "roundtable"),
        fixed={"add_new": "1"},
    ),
    Target(
        assessments_forms.ReportRequestForm,
        _u("assessments:report", "assessment"),
        page=_u("assessments:detail", "assessment"),
    ),
    Target(assessments_forms.AssessmentFilterForm, _u("assessments:list"), method="GET"),
    # trainings
    Target(
        reports_forms.CertificateRevokeForm,
        _u("trainings:certificate_revoke", "session", "certificate"),
        user="manager",
    ),
    Target(trainings_forms.CourseForm, _u("trainings:course_create")),
    Target(trainings_forms.CourseForm, _u("trainings:course_edit", "course")),
    Target(trainings_forms.SessionForm, _u("trainings:session_create"), user="manager"),
    Target(trainings_forms.SessionForm, _u("trainings:session_edit", "session"), user="trainer"),
    Target(trainings_forms.SessionFilterForm, _u("trainings:session_list"), method="GET"),
    Target(trainings_forms.ParticipantForm, _u("trainings:participant_create", "session"), user="trainer"),
    Target(trainings_forms.ImportForm, _u("trainings:import", "session"), user="trainer"),
    Target(trainings_forms.QuizImportForm, _u("trainings:quiz_import", "session"), user="trainer"),
    Target(trainings_forms.QuizConfirmForm, _u("trainings:quiz_import", "session"), user="trainer"),
    Target(trainings_forms.ExamFormForm, _u("trainings:exam_forms", "session"), user="trainer"),
    Target(trainings_forms.QuestionForm, _u("trainings:exam_form_edit", "session", "exam_form"), user="trainer"),
    # network
    Target(network_forms.DocumentForm, _u("network:document_create"), user="manager"),
    Target(network_forms.DocumentForm, _u("network:document_edit", "document"), user="admin"),
    Target(network_forms.DocumentReplaceForm, _u("network:document_replace", "document"), user="admin"),
    Target(network_forms.DocumentFilterForm, _u("network:document_list"), method="GET"),
    Target(network_forms.NetworkForm, _u("network:network_create")),
    Target(network_forms.NetworkForm, _u("network:network_edit", "network"), user="manager"),
    Target(
        network_forms.NetworkMemberForm,
        _u("network:network_member_add", "network"),
        user="manager",
        page=_u("network:network_detail", "network"),
    ),
    Target(network_forms.EventForm, _u("network:event_create"), user="manager"),
    Target(network_forms.EventForm, _u("network:event_edit", "event")),
    Target(network_forms.AgendaItemForm, _u("network:event_agenda", "event")),
    Target(network_forms.EventOutcomeForm, _u("network:event_outcomes", "event")),
    Target(network_forms.RegistrationForm, _u("network:event_register", "event"), fixed={"form": "existing"}),
    Target(network_forms.NewParticipantForm, _u("network:event_register", "event"), fixed={"form": "new"}),
    Target(network_forms.AttendanceForm, _u("network:event_attendance", "event")),
    Target(network_forms.EventFilterForm, _u("network:event_list"), method="GET"),
    Target(network_forms.ExpertProfileForm, _u("network:expert_edit", "expert"), user="manager"),
    Target(network_forms.NewExpertProfileForm, _u("network:expert_create"), user="manager"),
    Target(network_forms.DirectoryFilterForm, _u("network:expert_list"), method="GET"),
    Target(network_forms.ExternalRecommendationForm, _u("network:external_recommendation_create"), user="manager"),
    Target(
        network_forms.ExternalRecommendationForm,
        _u("network:external_recommendation_edit", "external_recommendation"),
        user="manager",
    ),
    Target(network_forms.ExternalRecommendationFilterForm, _u("network:external_recommendation_list"), method="GET"),
    # followups
    Target(followups_forms.MeasureForm, _u("followups:measure_create", "engagement"), user="manager"),
    Target(followups_forms.MeasureForm, _u("followups:measure_edit", "measure"), user="manager"),
    Target(followups_forms.RoundtableMeasureForm, _u("followups:roundtable_measures", "roundtable"), user="manager"),
    Target(followups_forms.ScheduleForm, _u("followups:schedule_edit", "engagement"), user="manager"),
    Target(
        followups_forms.RoundOpenForm,
        _u("followups:round_create", "engagement"),
        user="manager",
        page=_u("followups:board", "engagement"),
    ),
    Target(
        followups_forms.StatusUpdateForm,
        _u("followups:update_save", "round", "second_measure"),
        user="counterpart",
    ),
    Target(followups_forms.StatusUpdateForm, _u("followups:measure_detail", "measure"), user="manager"),
    Target(followups_forms.RoundRecordForm, _u("followups:round_record", "engagement"), user="manager"),
    Target(followups_forms.StatusUpdateRecordForm, _u("followups:update_record", "second_measure"), user="manager"),
    Target(followups_forms.ReviewForm, _u("followups:update_detail", "update"), user="manager"),
    Target(followups_forms.IndicatorForm, _u("followups:indicator_create", "engagement"), user="manager"),
    Target(followups_forms.IndicatorForm, _u("followups:indicator_edit", "indicator"), user="manager"),
    Target(followups_forms.RoundIndicatorsForm, _u("followups:round_indicators", "round"), user="counterpart"),
    # outcomes
    Target(outcomes_forms.YearForm, _u("outcomes:programme", "programme"), method="GET"),
    Target(
        outcomes_forms.YearForm,
        _u("outcomes:annual_report", "programme"),
        user="manager",
        page=_u("outcomes:programme", "programme"),
    ),
    Target(outcomes_forms.CountryFilterForm, lambda world: reverse("outcomes:country", args=[world.own]), method="GET"),
    # The results framework (``framework_indicator``: its reported indicator, with every disaggregation).
    Target(outcomes_forms.ObjectiveForm, _u("outcomes:objective_create", "programme"), user="manager"),
    Target(outcomes_forms.ObjectiveForm, _u("outcomes:objective_edit", "objective"), user="manager"),
    Target(
        outcomes_forms.NarrativeForm,
        lambda world: reverse("outcomes:narrative_edit", args=[world.objective.pk, 2025]),
        user="manager",
    ),
    Target(outcomes_forms.IndicatorForm, _u("outcomes:indicator_create", "objective"), user="manager"),
    Target(outcomes_forms.IndicatorForm, _u("outcomes:indicator_edit", "framework_indicator"), user="manager"),
    Target(outcomes_forms.IndicatorPeriodForm, _u("outcomes:period_create", "framework_indicator"), user="manager"),
    Target(outcomes_forms.IndicatorPeriodForm, _u("outcomes:period_edit", "open_period"), user="manager"),
    Target(outcomes_forms.IndicatorValueForm, _u("outcomes:indicator", "framework_indicator"), user="counterpart"),
    Target(
        outcomes_forms.ReviewForm,
        _u("outcomes:value_review", "indicator_value"),
        user="manager",
        page=_u("outcomes:indicator", "framework_indicator"),
    ),
    # finance
    Target(finance_forms.BudgetForm, _u("finance:budget_create", "programme"), user="manager"),
    Target(finance_forms.BudgetForm, _u("finance:budget_edit", "budget"), user="manager"),
    Target(finance_forms.TransactionForm, _u("finance:transaction_create", "programme"), user="manager"),
    Target(finance_forms.TransactionForm, _u("finance:transaction_edit", "transaction"), user="manager"),
    Target(finance_forms.IatiPublicationForm, _u("finance:iati", "programme")),
    # history
    Target(history_forms.ImportForm, _u("history:import_list"), user="manager"),
    # search
    Target(search_forms.SearchForm, _u("search:results"), method="GET", user="viewer"),
    # surveys
    Target(surveys_forms.SurveyCreateForm, _u("surveys:survey_create", "survey_session"), user="trainer"),
    Target(surveys_forms.QuestionForm, _u("surveys:question_create"), user="manager"),
    Target(surveys_forms.QuestionForm, _u("surveys:question_edit", "survey_question"), user="manager"),
    Target(surveys_forms.TemplateForm, _u("surveys:template_create"), user="manager"),
    Target(surveys_forms.TemplateForm, _u("surveys:template_edit", "survey_template"), user="manager"),
    Target(surveys_forms.PooledFilterForm, _u("surveys:pooled_results"), method="GET"),
    # A participant's answers, through their personal link (signed out).
    Target(
        surveys_forms.AnswerForm, lambda world: reverse("surveys:answer", args=[token_for(world.invitation)]), user=None
    ),
    # The exports take the filters of the lists they export.
    Target(
        outcomes_forms.ExportFilterForm,
        lambda world: reverse("outcomes:list_export", args=["engagements", "csv"]),
        method="GET",
        page=_u("engagements:list"),
    ),
    Target(
        outcomes_forms.ExportFilterForm,
        lambda world: reverse("outcomes:list_export", args=["measures", "xlsx"]),
        method="GET",
        page=_u("followups:index"),
    ),
]


# ---------------------------------------------------------------------------------------------
# Discovery


def _form_classes_in(module, *, defined_there: bool) -> set[type]:
    """The form classes a module defines (or, with ``defined_there=False``, also imports from the portal)."""
    return {
        value
        for value in vars(module).values()
        if isclass(value)
        and issubclass(value, forms.BaseForm)
        and (
            value.__module__ == module.__name__
            if defined_there
            else value.__module__.split(".")[0] in settings.PORTAL_APPS
        )
    }


def _callbacks(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            yield from _callbacks(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def discover_form_classes() -> set[type]:
    """Every form class the portal's views can bind: the classes of each app's forms module, the
    forms named in the modules of the views that the URLs route to, and the ``form_class`` /
    ``authentication_form`` of class-based views (Django's own auth forms included)."""
    found: set[type] = set()
    for app in settings.PORTAL_APPS:
        try:
            module = import_module(f"{app}.forms")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.forms":
                raise
        else:
            found |= _form_classes_in(module, defined_there=True)
    view_modules = set()
    for callback in _callbacks(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        if view_class is not None:
            initkwargs = getattr(callback, "view_initkwargs", {})
            # What the view's get_form_class() answers (LoginView prefers authentication_form).
            for attr in ("authentication_form", "form_class"):
                value = initkwargs.get(attr) or getattr(view_class, attr, None)
                if isclass(value) and issubclass(value, forms.BaseForm):
                    found.add(value)
                    break
            module_name = view_class.__module__
        else:
            module_name = callback.__module__
        if module_name.split(".")[0] in settings.PORTAL_APPS:
            view_modules.add(module_name)
    for name in view_modules:
        found |= _form_classes_in(import_module(name), defined_there=False)
    return found
