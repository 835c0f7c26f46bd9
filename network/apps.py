from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from audit.registry import register


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Precursor network")

    def ready(self):
        # Who may read a document, who belongs to a network, who registered for a meeting and
        # whether an expert shows their contact details are access and consent decisions: each
        # change is kept in the audit trail with its author. (External recommendations belong to
        # a country and are covered like every scoped model.)
        register("network.Network")
        register("network.NetworkMembership")
        # A document's text and search vector follow from its file and fields: not worth an entry of
        # their own, and too long to copy into every entry of the document.
        register(
            "network.Document",
            country_path="audience_country",
            ignore=("updated_at", "text", "text_sha256", "search_vector"),
            redact=("text", "search_vector"),
        )
        register("network.DocumentVersion", country_path="document__audience_country")
        register("network.NetworkEvent", country_path="host_country", ignore=("updated_at",))
        register(
            "network.Registration", country_path="person__country", ignore=("invitation_sent_at", "invitation_sequence")
        )
        register("network.ExpertProfile", country_path="person__country", ignore=("updated_at",))
        register("network.EventCertificate", country_path="registration__person__country", ignore=("emailed_at",))

        from .certificates import register as register_certificates  # noqa: PLC0415 (needs the app registry)

        register_certificates()  # the certificate PDF kind, known to web processes and workers alike
