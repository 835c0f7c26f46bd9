"""The pre/post statistics against values computed independently, here, with NumPy and SciPy."""

from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from trainings.statistics import SUMMARY_KEYS
from trainings.statistics import ResultRow
from trainings.statistics import prepost_summary
from trainings.statistics import summarize


def expected_figures(pre, post, max_score, pass_mark):
    """docs/API.md's definitions written out directly on arrays (None = absent score)."""
    pre = [None if v is None else float(v) for v in pre]
    post = [None if v is None else float(v) for v in post]
    max_score = np.broadcast_to(np.asarray(max_score, dtype=float), (len(pre),))
    pass_mark = np.broadcast_to(np.asarray(pass_mark, dtype=float), (len(pre),))
    paired = [i for i in range(len(pre)) if pre[i] is not None and post[i] is not None]
    with_post = [i for i in range(len(pre)) if post[i] is not None]
    result = {
        "n_enrolled": len(pre),
        "n_pre": sum(v is not None for v in pre),
        "n_post": len(with_post),
        "n_paired": len(paired),
    }
    pre_pct = np.array([100 * pre[i] / max_score[i] for i in paired])
    post_pct = np.array([100 * post[i] / max_score[i] for i in paired])
    result["pre_mean_pct"] = pre_pct.mean() if paired else None
    result["post_mean_pct"] = post_pct.mean() if paired else None
    result["mean_gain_pct"] = (post_pct - pre_pct).mean() if paired else None
    result["normalized_gain"] = (
        (post_pct.mean() - pre_pct.mean()) / (100 - pre_pct.mean()) if paired and pre_pct.mean() < 100 else None
    )
    differences = post_pct - pre_pct
    if len(paired) >= 2 and np.ptp(differences) > 1e-9:
        result["cohens_dz"] = differences.mean() / differences.std(ddof=1)
        result["p_value"] = stats.ttest_rel(post_pct, pre_pct).pvalue
    else:
        result["cohens_dz"] = result["p_value"] = None
    result["post_pass_rate"] = np.mean([post[i] >= pass_mark[i] for i in with_post]) if with_post else None
    return result


def assert_figures(actual, expected):
    for key in SUMMARY_KEYS:
        if expected[key] is None:
            assert actual[key] is None, f"{key} should be null, got {actual[key]}"
        else:
            assert actual[key] == pytest.approx(float(expected[key]), rel=1e-9, abs=1e-12), key


def rows(pre, post, max_score=50, pass_mark=35, sex="female", agency=None):
    return [
        ResultRow(
            None if a is None else Decimal(str(a)),
            None if b is None else Decimal(str(b)),
            Decimal(max_score),
            Decimal(pass_mark),
            sex,
            agency,
        )
        for a, b in zip(pre, post, strict=True)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_session_matches_numpy_and_scipy(seed):
    # given 10–60 participants, some missing a score, with half-point scores out of 40
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 60))
    pre = [None if rng.random() < 0.1 else float(rng.integers(0, 81)) / 2 for _ in range(n)]
    post = [None if rng.random() < 0.1 else float(rng.integers(0, 81)) / 2 for _ in range(n)]
    # when
    summary = summarize(rows(pre, post, max_score=40, pass_mark=28))
    # then
    assert_figures(summary, expected_figures(pre, post, 40, 28))


def test_pooled_sessions_with_different_maximum_scores_use_each_participants_pct():
    rng = np.random.default_rng(7)
    pre_a, post_a = rng.integers(0, 51, 25).tolist(), rng.integers(10, 51, 25).tolist()
    pre_b, post_b = rng.integers(0, 101, 18).tolist(), rng.integers(20, 101, 18).tolist()
    pooled = rows(pre_a, post_a, max_score=50, pass_mark=35) + rows(pre_b, post_b, max_score=100, pass_mark=60)

    summary = summarize(pooled)

    expected = expected_figures(pre_a + pre_b, post_a + post_b, [50] * 25 + [100] * 18, [35] * 25 + [60] * 18)
    assert_figures(summary, expected)


def test_disaggregation_by_sex_and_agency_matches_each_group_computed_alone():
    rng = np.random.default_rng(11)
    data = []
    for _ in range(60):
        sex = str(rng.choice(["female", "male", "undisclosed"]))
        agency = int(rng.choice([1, 2, 3]))
        pre = int(rng.integers(0, 51))
        post = None if rng.random() < 0.15 else int(rng.integers(15, 51))
        data.append((pre, post, sex, agency))
    all_rows = [r for pre, post, sex, agency in data for r in rows([pre], [post], sex=sex, agency=agency)]

    summary = prepost_summary(all_rows)

    assert list(summary["by_sex"]) == [s for s in ("female", "male", "undisclosed") if any(d[2] == s for d in data)]
    for sex, figures in summary["by_sex"].items():
        group = [d for d in data if d[2] == sex]
        assert_figures(figures, expected_figures([d[0] for d in group], [d[1] for d in group], 50, 35))
    for agency, figures in summary["by_agency"].items():
        group = [d for d in data if d[3] == agency]
        assert_figures(figures, expected_figures([d[0] for d in group], [d[1] for d in group], 50, 35))
    assert sum(f["n_enrolled"] for f in summary["by_sex"].values()) == 60


def test_one_participant_has_means_but_no_effect_size_or_p_value():
    summary = summarize(rows([20], [40]))

    assert summary["n_paired"] == 1
    assert summary["pre_mean_pct"] == 40.0
    assert summary["post_mean_pct"] == 80.0
    assert summary["mean_gain_pct"] == 40.0
    assert summary["normalized_gain"] == pytest.approx(40 / 60)
    assert summary["cohens_dz"] is None
    assert summary["p_value"] is None
    assert summary["post_pass_rate"] == 1.0


def test_identical_gains_are_no_variance_not_a_huge_effect_size():
    # every participant gains exactly 1 point out of 3: the float pcts differ in the last bits
    summary = summarize(rows([0, 1, 0.5, 1.7], [1, 2, 1.5, 2.7], max_score=3, pass_mark=2))

    assert summary["n_paired"] == 4
    assert summary["mean_gain_pct"] == pytest.approx(100 / 3)
    assert summary["cohens_dz"] is None
    assert summary["p_value"] is None


def test_nobody_changing_gives_zero_gain_and_no_effect_size():
    summary = summarize(rows([30, 30, 30], [30, 30, 30]))

    assert summary["mean_gain_pct"] == 0.0
    assert summary["normalized_gain"] == 0.0
    assert summary["cohens_dz"] is None and summary["p_value"] is None


def test_two_participants_with_different_gains_get_a_t_test():
    summary = summarize(rows([10, 20], [30, 25]))

    assert_figures(summary, expected_figures([10, 20], [30, 25], 50, 35))
    assert summary["p_value"] is not None


def test_missing_scores_count_in_n_but_means_use_only_paired_participants():
    pre = [10, 20, None, 30, None, 40]
    post = [30, None, 45, 40, None, 35]

    summary = summarize(rows(pre, post))

    assert (summary["n_enrolled"], summary["n_pre"], summary["n_post"], summary["n_paired"]) == (6, 4, 4, 3)
    assert summary["pre_mean_pct"] == pytest.approx(np.mean([20, 60, 80]))
    assert summary["post_pass_rate"] == pytest.approx(3 / 4)  # 45, 40 and 35 reach the pass mark of 35
    assert_figures(summary, expected_figures(pre, post, 50, 35))


def test_a_post_score_equal_to_the_pass_mark_passes():
    summary = summarize(rows([None, None], [35, 34.99]))

    assert summary["post_pass_rate"] == 0.5


def test_perfect_pre_scores_leave_normalized_gain_null():
    summary = summarize(rows([50, 50, 50], [50, 45, 48]))

    assert summary["pre_mean_pct"] == 100.0
    assert summary["normalized_gain"] is None
    assert summary["mean_gain_pct"] == pytest.approx(np.mean([0, -10, -4]))
    assert summary["cohens_dz"] is not None


def test_one_perfect_pre_score_among_others_keeps_normalized_gain():
    summary = summarize(rows([50, 25], [50, 40]))

    assert summary["normalized_gain"] == pytest.approx((90 - 75) / (100 - 75))


def test_nobody_with_a_post_score_has_null_pass_rate_and_means():
    summary = summarize(rows([10, 20, 30], [None, None, None]))

    assert summary["n_pre"] == 3 and summary["n_post"] == 0 and summary["n_paired"] == 0
    for key in ("pre_mean_pct", "post_mean_pct", "mean_gain_pct", "normalized_gain", "cohens_dz", "p_value"):
        assert summary[key] is None
    assert summary["post_pass_rate"] is None


def test_no_participants_at_all_is_all_zero_counts_and_nulls():
    summary = prepost_summary([])

    assert summary["n_enrolled"] == 0
    assert summary["by_sex"] == {} and summary["by_agency"] == {}
    assert all(summary[k] is None for k in SUMMARY_KEYS if not k.startswith("n_"))


def test_plain_numbers_work_as_well_as_decimals():
    as_float = summarize([ResultRow(10.5, 30.0, 50, 35, "male"), ResultRow(20, 25, 50, 35, "male")])
    as_decimal = summarize(rows([10.5, 20], [30, 25]))

    assert as_float == as_decimal
