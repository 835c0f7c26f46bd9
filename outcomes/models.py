"""The outcomes app only reads, except for this: what an annual progress report covers.

A rendered PDF (``reports.Report``) belongs to an owner; for the annual progress report the
owner is a programme, a year and the set of countries the report covers (those of the people
who asked for it), so a viewer of one country gets a report about that country only and people
with the same reach share the same rendered file.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope

EVERYWHERE_KEY = "*"


def scope_key(scope: Scope) -> str:
    """``*`` for every country, else the ISO codes in order, comma-separated."""
    return EVERYWHERE_KEY if scope.everywhere else ",".join(sorted(scope.countries))


def scope_of_key(key: str) -> Scope:
    if key == EVERYWHERE_KEY:
        return Scope(everywhere=True, countries=frozenset())
    return Scope(everywhere=False, countries=frozenset(code for code in key.split(",") if code))


class AnnualReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Global readers see every annual report; others those made for exactly their countries."""
        from .facts import outcome_scope

        scope = outcome_scope(user)
        if scope.everywhere:
            return self.all()
        if scope.empty:
            return self.none()
        return self.filter(scope_key=scope_key(scope))


class AnnualProgressReport(models.Model):
    programme = models.ForeignKey(
        "engagements.Programme",
        on_delete=models.CASCADE,
        related_name="annual_reports",
        verbose_name=_("programme"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    scope_key = models.CharField(_("countries covered"), max_length=1000, help_text=_("* means every country."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "programme_id"]
        verbose_name = _("annual progress report")
        verbose_name_plural = _("annual progress reports")
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "scope_key"], name="annual_report_unique_scope")
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year} ({self.scope_key})"

    @property
    def scope(self) -> Scope:
        return scope_of_key(self.scope_key)
