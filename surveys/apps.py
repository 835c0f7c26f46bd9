from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Evaluation surveys")

    def ready(self):
        # Imported once the app registry is ready: audit.registry reads the models.
        from audit.registry import exempt  # noqa: PLC0415 (app loading: models -> audit.registry -> models)
        from audit.registry import register  # noqa: PLC0415

        # What participants answered never enters the trail: an entry's time, transaction and
        # context would tie an anonymous answer to the invitation marked answered with it.
        exempt("surveys.SurveyResponse")
        exempt("surveys.Answer")
        # The e-mail log is a delivery record (see followups.ReminderLog).
        exempt("surveys.SurveyEmail")
        # An invitation's secret stays out of the trail, and so does its being answered: the
        # moment a participant answered is what would tie them to an anonymous response.
        register(
            "surveys.Invitation",
            country_path="survey__session__countries",
            redact=("nonce",),
            ignore=("answered", "answered_at"),
        )
