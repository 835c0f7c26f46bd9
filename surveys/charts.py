"""The surveys' charts, drawn with the shared SVG helpers of ``reports.charts``: for each agreement
and single-choice question, how many chose each answer (the page shows the same counts in a table)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports.charts import bar_chart

from .models import QuestionKind
from .selectors import Results


def add_charts(results: Results) -> Results:
    """Give each question with a distribution and at least one answer its chart."""
    for result in results.questions:
        if result.kind not in (QuestionKind.LIKERT, QuestionKind.CHOICE) or not result.n:
            continue
        result.chart = bar_chart(
            items=[(label, n) for label, n in result.distribution],
            title=_("Answers to “%(question)s”") % {"question": result.question.local_text},
            width=560,
            label_width=220,
            table_id=f"answers-{result.question.pk}",
        )
    return results
