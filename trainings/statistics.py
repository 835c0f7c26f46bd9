"""Pre/post exam statistics, exactly as docs/API.md defines them; the one function every page, API
answer, export and PDF uses.

A participant's pct is 100 × score / max_score of their session, so sessions with different
maximum scores pool fairly. Means and gains are over the *paired* participants (both scores).
Below the minimum a figure needs it is ``None``, never an error.

"No variance" is decided on exact values computed from the raw scores (``Fraction``), not on
floats: identical raw gains never turn into a huge effect size through rounding noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

import numpy as np
from scipy import special

Number = Decimal | int | float

SUMMARY_KEYS = (
    "n_enrolled",
    "n_pre",
    "n_post",
    "n_paired",
    "pre_mean_pct",
    "post_mean_pct",
    "mean_gain_pct",
    "normalized_gain",
    "cohens_dz",
    "p_value",
    "post_pass_rate",
)
SEX_ORDER = ("female", "male", "other", "undisclosed")


class ResultRow(NamedTuple):
    """One participant of one session: their scores (``None`` when absent) and their session's scale."""

    pre_score: Number | None
    post_score: Number | None
    max_score: Number
    pass_mark: Number
    sex: str
    agency_id: int | None = None


def _exact(value: Number) -> Fraction:
    # Fraction(Decimal) and Fraction(float) are exact; str() keeps a float's shortest decimal form.
    return Fraction(value) if not isinstance(value, float) else Fraction(str(value))


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def paired_t_test(differences: np.ndarray) -> tuple[float, float]:
    """Cohen's dz and the two-sided p-value of the paired t-test on the differences (n ≥ 2, not all
    equal): what ``scipy.stats.ttest_rel`` computes, without its per-call overhead (about a
    millisecond, which dashboards summarising hundreds of groups would pay hundreds of times)."""
    n = len(differences)
    mean = float(differences.mean())
    sd = float(differences.std(ddof=1))
    t = mean / (sd / math.sqrt(n))
    return mean / sd, float(2 * special.stdtr(n - 1, -abs(t)))


# Two floats closer than this (relative) may stand for different exact values, or for the same one:
# such near ties are decided again on the exact values. Farther apart, the float order is the exact
# order (a float holds a score's 15 significant digits; scores have 7).
_NEAR = 1e-9


def _floats(values) -> np.ndarray:
    """The values as floats, NaN where absent."""
    return np.array([math.nan if v is None else float(v) for v in values], dtype=float)


def _near(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b) <= _NEAR * np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)


class _Columns:
    """The rows' scores as float columns, computed once for a group and its disaggregations."""

    def __init__(self, rows: list[ResultRow]):
        self.rows = rows
        if rows:
            pre, post, maximum, mark = list(zip(*rows, strict=False))[:4]
        else:
            pre = post = maximum = mark = ()
        self.pre, self.post, self.max, self.mark = (_floats(column) for column in (pre, post, maximum, mark))

    def _exact(self, index: int, field: str) -> Fraction:
        return _exact(getattr(self.rows[index], field))

    def summary(self, index: np.ndarray) -> dict:
        pre, post, maximum, mark = self.pre[index], self.post[index], self.max[index], self.mark[index]
        has_pre, has_post = ~np.isnan(pre), ~np.isnan(post)
        paired = has_pre & has_post
        n_post, n_paired = int(has_post.sum()), int(paired.sum())
        summary = {
            "n_enrolled": len(index),
            "n_pre": int(has_pre.sum()),
            "n_post": n_post,
            "n_paired": n_paired,
            "pre_mean_pct": None,
            "post_mean_pct": None,
            "mean_gain_pct": None,
            "normalized_gain": None,
            "cohens_dz": None,
            "p_value": None,
            "post_pass_rate": None,
        }
        if n_post:
            rows, scores, marks = index[has_post], post[has_post], mark[has_post]
            passed = scores >= marks
            for i in np.flatnonzero(_near(scores, marks)):
                passed[i] = self._exact(rows[i], "post_score") >= self._exact(rows[i], "pass_mark")
            summary["post_pass_rate"] = int(passed.sum()) / n_post
        if not n_paired:
            return summary

        rows, before, after, scale = index[paired], pre[paired], post[paired], maximum[paired]
        pre_pct, post_pct = 100.0 * before / scale, 100.0 * after / scale
        pre_mean, post_mean = float(pre_pct.mean()), float(post_pct.mean())
        summary["pre_mean_pct"] = pre_mean
        summary["post_mean_pct"] = post_mean
        summary["mean_gain_pct"] = float((post_pct - pre_pct).mean())
        # The pre mean is 100 exactly when every paired participant had a perfect pre score.
        perfect = before >= scale
        for i in np.flatnonzero(_near(before, scale)):
            perfect[i] = self._exact(rows[i], "pre_score") >= self._exact(rows[i], "max_score")
        if not perfect.all():
            summary["normalized_gain"] = (post_mean - pre_mean) / (100.0 - pre_mean)

        # Effect size and p-value need differences that are not all equal. Gains (as shares of the
        # maximum) visibly apart differ; when they all look equal, the exact values decide.
        shares = (after - before) / scale
        varied = bool(n_paired >= 2 and not _near(shares, np.full(n_paired, shares[0])).all())
        if n_paired >= 2 and not varied:
            first = self._exact(rows[0], "post_score") - self._exact(rows[0], "pre_score")
            first /= self._exact(rows[0], "max_score")
            varied = any(
                (self._exact(i, "post_score") - self._exact(i, "pre_score")) / self._exact(i, "max_score") != first
                for i in rows[1:]
            )
        if varied:
            cohens_dz, p_value = paired_t_test(post_pct - pre_pct)
            summary["cohens_dz"] = _finite(cohens_dz)
            summary["p_value"] = _finite(p_value)
        return summary


def summarize(rows: Iterable[ResultRow]) -> dict:
    """The figures of docs/API.md (without the disaggregations) for one group of participants."""
    rows = list(rows)
    return _Columns(rows).summary(np.arange(len(rows)))


def _grouped(items, key: Callable[[object], Hashable]) -> dict:
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def prepost_summary(rows: Iterable[ResultRow]) -> dict:
    """docs/API.md's outcome figures for the participants in ``rows``, with ``by_sex`` and ``by_agency``.

    ``by_sex`` has one entry per sex present among the participants, in the order female, male,
    other, undisclosed; ``by_agency`` one per agency id (participants with no agency are counted
    in the totals only).
    """
    rows = list(rows)
    columns = _Columns(rows)  # the scores as floats once, for the totals and every group
    summary = columns.summary(np.arange(len(rows)))
    by_sex = _grouped(range(len(rows)), lambda i: rows[i].sex)
    ordered = sorted(by_sex, key=lambda s: (SEX_ORDER.index(s) if s in SEX_ORDER else len(SEX_ORDER), s))
    summary["by_sex"] = {sex: columns.summary(np.array(by_sex[sex])) for sex in ordered}
    with_agency = [i for i, row in enumerate(rows) if row.agency_id is not None]
    by_agency = _grouped(with_agency, lambda i: rows[i].agency_id)
    summary["by_agency"] = {agency: columns.summary(np.array(group)) for agency, group in sorted(by_agency.items())}
    return summary
