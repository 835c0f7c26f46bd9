"""What managers write about each objective for the annual progress report of a year."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ta_portal.models import acting_user_field
from ta_portal.models import updated_at_field
from ta_portal.multilingual import other_languages
from ta_portal.multilingual import source_language
from ta_portal.multilingual import translations_field

from .framework import ProgrammeObjective


class ObjectiveNarrative(models.Model):
    """What managers write about an objective for the annual progress report of a year.

    Written in any of the portal's languages, one or several: the columns hold the English text,
    ``translations`` the others (``ta_portal.multilingual``). The report shows the reader's
    language when it was given, else the first language that was (``text``).
    """

    TRANSLATED_FIELDS = {"achievements": "achievements", "challenges": "challenges", "lessons": "lessons"}

    objective = models.ForeignKey(
        ProgrammeObjective, on_delete=models.CASCADE, related_name="narratives", verbose_name=_("objective")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    achievements = models.TextField(_("achievements"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    translations = translations_field()
    updated_by = acting_user_field(_("last edited by"))
    updated_at = updated_at_field()

    class Meta:
        ordering = ["objective_id", "-year"]
        verbose_name = _("objective narrative")
        verbose_name_plural = _("objective narratives")
        constraints = [models.UniqueConstraint(fields=["objective", "year"], name="objective_narrative_one_per_year")]

    def __str__(self) -> str:
        return f"{self.objective} {self.year}"

    def text(self, field: str, language: str) -> tuple[str, str]:
        """(text, its language code): in ``language`` when given, else English, else the first given."""
        language = language[:2]
        translations = self.translations or {}
        english = getattr(self, field)
        if language != source_language() and (translations.get(language) or {}).get(field):
            return translations[language][field], language
        if english:
            return english, source_language()
        for code, _name in other_languages():
            if (translations.get(code) or {}).get(field):
                return translations[code][field], code
        return "", language
