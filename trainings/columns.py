"""The columns of the pre/post training figures (a figures block of ``trainings.statistics``), declared
once: the session's outcome export writes them, and the outcome tables of ``outcomes.columns`` take
them from here."""

from django.utils.translation import gettext_lazy

from ta_portal.tabular import Column

from .statistics import SUMMARY_KEYS

FIGURE_COLUMNS = (
    Column("n_enrolled", gettext_lazy("Enrolled"), "int"),
    Column("n_pre", gettext_lazy("With pre-test"), "int"),
    Column("n_post", gettext_lazy("With post-test"), "int"),
    Column("n_paired", gettext_lazy("Paired"), "int"),
    Column("pre_mean_pct", gettext_lazy("Pre-test mean (%)"), "pct"),
    Column("post_mean_pct", gettext_lazy("Post-test mean (%)"), "pct"),
    Column("mean_gain_pct", gettext_lazy("Mean gain (points)"), "gain"),
    Column("normalized_gain", gettext_lazy("Normalized gain"), "num"),
    Column("cohens_dz", gettext_lazy("Effect size (Cohen's dz)"), "num"),
    Column("p_value", gettext_lazy("p-value (paired t-test)"), "p"),
    Column("post_pass_rate", gettext_lazy("Post-test pass rate (%)"), "rate"),
)
if tuple(column.key for column in FIGURE_COLUMNS) != SUMMARY_KEYS:
    raise ImportError("trainings.columns must declare one column per figure of trainings.statistics.SUMMARY_KEYS.")
