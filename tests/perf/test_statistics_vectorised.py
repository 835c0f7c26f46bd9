"""The pre/post statistics, computed on columns of floats, give exactly the figures of the plain
definition (every participant in a Python loop, exact comparisons on Fractions, scipy's t-test),
also on the ties where floats could mislead."""

import math
import random
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from trainings.statistics import SUMMARY_KEYS
from trainings.statistics import ResultRow
from trainings.statistics import prepost_summary
from trainings.statistics import summarize


def exact(value) -> Fraction:
    return Fraction(value) if not isinstance(value, float) else Fraction(str(value))


def plain(rows) -> dict:
    """docs/API.md's definitions, one participant at a time."""
    paired = [r for r in rows if r.pre_score is not None and r.post_score is not None]
    with_post = [r for r in rows if r.post_score is not None]
    out = dict.fromkeys(SUMMARY_KEYS)
    out.update(
        n_enrolled=len(rows),
        n_pre=sum(r.pre_score is not None for r in rows),
        n_post=len(with_post),
        n_paired=len(paired),
    )
    if with_post:
        out["post_pass_rate"] = sum(exact(r.post_score) >= exact(r.pass_mark) for r in with_post) / len(with_post)
    if not paired:
        return out
    pre = np.array([100.0 * float(r.pre_score) / float(r.max_score) for r in paired])
    post = np.array([100.0 * float(r.post_score) / float(r.max_score) for r in paired])
    out["pre_mean_pct"], out["post_mean_pct"] = float(pre.mean()), float(post.mean())
    out["mean_gain_pct"] = float((post - pre).mean())
    if not all(exact(r.pre_score) >= exact(r.max_score) for r in paired):
        out["normalized_gain"] = (out["post_mean_pct"] - out["pre_mean_pct"]) / (100.0 - out["pre_mean_pct"])
    gains = {(exact(r.post_score) - exact(r.pre_score)) / exact(r.max_score) for r in paired}
    if len(paired) >= 2 and len(gains) > 1:
        d = post - pre
        out["cohens_dz"] = float(d.mean() / d.std(ddof=1))
        out["p_value"] = float(stats.ttest_rel(post, pre).pvalue)
    return out


def same(actual: dict, expected: dict) -> None:
    for key in SUMMARY_KEYS:
        if expected[key] is None or (isinstance(expected[key], float) and not math.isfinite(expected[key])):
            assert actual[key] is None, key
        else:
            assert actual[key] == pytest.approx(expected[key], rel=1e-9, abs=1e-12), key


def random_rows(rng: random.Random, n: int, kind) -> list[ResultRow]:
    rows = []
    for _ in range(n):
        maximum = rng.choice([100, 20, 50, 7])
        pre = None if rng.random() < 0.1 else kind(rng.randint(0, maximum * 4) / 4)
        post = None if rng.random() < 0.1 else kind(rng.randint(0, maximum * 4) / 4)
        rows.append(
            ResultRow(
                pre, post, kind(maximum), kind(maximum * 0.7), rng.choice(["female", "male"]), rng.choice([1, 2, None])
            )
        )
    return rows


@pytest.mark.parametrize(
    "kind", [lambda v: Decimal(str(v)), float, lambda v: Decimal(str(v)).quantize(Decimal("0.01"))]
)
@pytest.mark.parametrize("seed", range(6))
def test_random_groups_give_the_figures_of_the_plain_definition(kind, seed):
    rng = random.Random(seed)
    rows = random_rows(rng, rng.choice([1, 2, 3, 15, 200]), kind)

    summary = prepost_summary(rows)

    same(summary, plain(rows))
    for sex, figures in summary["by_sex"].items():
        same(figures, plain([r for r in rows if r.sex == sex]))
    for agency, figures in summary["by_agency"].items():
        same(figures, plain([r for r in rows if r.agency_id == agency]))


D = Decimal


@pytest.mark.parametrize(
    "rows",
    [
        # a post score exactly at the pass mark passes; a hair below does not
        [
            ResultRow(D("50"), D("70.00"), D("100"), D("70"), "female"),
            ResultRow(D("50"), D("69.99"), D("100"), D("70"), "male"),
        ],
        # equal gains as shares of different maxima: no variance, so no effect size
        [ResultRow(D("10"), D("20"), D("100"), D("50"), "female"), ResultRow(D("1"), D("2"), D("10"), D("5"), "male")],
        # gains a thousandth of a point apart do vary
        [
            ResultRow(D("10.00"), D("20.00"), D("100"), D("50"), "female"),
            ResultRow(D("10.00"), D("20.01"), D("100"), D("50"), "male"),
        ],
        # every pre score perfect: no normalized gain
        [
            ResultRow(D("20"), D("20"), D("20"), D("14"), "female"),
            ResultRow(D("100"), D("90"), D("100"), D("70"), "male"),
        ],
        # floats whose sum is not exact in binary (0.1 + 0.2)
        [
            ResultRow(0.1, 0.3, 1.0, 0.3, "female"),
            ResultRow(0.2, 0.4, 1.0, 0.3, "male"),
            ResultRow(0.0, 0.2, 1.0, 0.3, "male"),
        ],
        [],
    ],
)
def test_ties_are_decided_on_exact_values(rows):
    same(summarize(rows), plain(rows))
