"""The trainings' charts, drawn with the shared SVG helpers of ``reports.charts``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports.charts import paired_dot_plot

from .models import Enrolment
from .models import TrainingSession


def _pct(score, max_score) -> float | None:
    return None if score is None else 100.0 * float(score) / float(max_score)


def _percent_plot(rows, labels: tuple[str, str], title: str, *, width: int, label_width: int):
    """Pre and post values on a 0–100 % scale: every exam chart of the trainings."""
    return paired_dot_plot(
        rows=rows, max_value=100, unit=" %", labels=labels, title=title, width=width, label_width=label_width
    )


def participants_chart(session: TrainingSession, enrolments: list[Enrolment], *, with_names: bool):
    """Each participant's pre and post score (pct), joined by a line; ordered by pre score.

    Without names (for readers who see figures only) the rows are numbered.
    """
    rows = [(e, _pct(e.pre_score, session.max_score), _pct(e.post_score, session.max_score)) for e in enrolments]
    rows = [r for r in rows if r[1] is not None or r[2] is not None]
    rows.sort(key=lambda r: (r[1] is None, r[1] or 0, r[2] or 0))
    labelled = [
        (e.person.full_name if with_names else _("Participant %(n)s") % {"n": i}, pre, post)
        for i, (e, pre, post) in enumerate(rows, start=1)
    ]
    title = _("Pre- and post-exam score of each participant (% of the maximum)")
    return _percent_plot(labelled, (_("Pre-exam"), _("Post-exam")), title, width=640, label_width=190)


def sessions_chart(compared: list[tuple[TrainingSession, dict]]):
    """Mean pre and post score (pct, paired participants) of each session of a course."""
    rows = [
        (f"{s.start_date:%Y-%m} · {s.title}", figures["pre_mean_pct"], figures["post_mean_pct"])
        for s, figures in compared
    ]
    title = _("Mean pre- and post-exam score per session (% of the maximum)")
    return _percent_plot(rows, (_("Pre-exam mean"), _("Post-exam mean")), title, width=680, label_width=260)
