"""Expected outcome figures, computed here from the generated records with plain Python, NumPy
and SciPy, independently of the portal's code (the definitions are docs/API.md's)."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction

import numpy as np
from scipy import stats

STATUSES = ("not_started", "in_progress", "partially_implemented", "implemented", "not_implemented", "cancelled")


def training(rows: list[dict]) -> dict:
    figures = _summary(rows)
    sexes = sorted({r["sex"] for r in rows}, key=["female", "male", "other", "undisclosed"].index)
    figures["by_sex"] = {sex: _summary([r for r in rows if r["sex"] == sex]) for sex in sexes}
    return figures


def _summary(rows: list[dict]) -> dict:
    paired = [r for r in rows if r["pre"] is not None and r["post"] is not None]
    with_post = [r for r in rows if r["post"] is not None]
    out = {
        "n_enrolled": len(rows),
        "n_pre": sum(r["pre"] is not None for r in rows),
        "n_post": len(with_post),
        "n_paired": len(paired),
        "pre_mean_pct": None,
        "post_mean_pct": None,
        "mean_gain_pct": None,
        "normalized_gain": None,
        "cohens_dz": None,
        "p_value": None,
        "post_pass_rate": (sum(r["post"] >= r["pass"] for r in with_post) / len(with_post)) if with_post else None,
    }
    if not paired:
        return out
    pre = np.array([100 * r["pre"] / r["max"] for r in paired])
    post = np.array([100 * r["post"] / r["max"] for r in paired])
    out["pre_mean_pct"] = pre.mean()
    out["post_mean_pct"] = post.mean()
    out["mean_gain_pct"] = (post - pre).mean()
    if pre.mean() < 100 and not all(r["pre"] >= r["max"] for r in paired):
        out["normalized_gain"] = (post.mean() - pre.mean()) / (100 - pre.mean())
    exact = {
        Fraction(str(r["post"])) / Fraction(str(r["max"])) - Fraction(str(r["pre"])) / Fraction(str(r["max"]))
        for r in paired
    }
    if len(paired) >= 2 and len(exact) > 1:
        d = post - pre
        out["cohens_dz"] = d.mean() / d.std(ddof=1)
        out["p_value"] = stats.ttest_rel(post, pre).pvalue
    return out


def status_on(measure: dict, day: date | None = None) -> str:
    """The status reported by ``day`` (now if None): the latest submitted or accepted report."""
    counted = [
        h for h in measure["history"] if h["state"] in ("submitted", "accepted") and (day is None or h["day"] <= day)
    ]
    if not counted:
        return "not_started"
    return max(counted, key=lambda h: h["day"])["status"]


def measures(records: list[dict], day: date | None = None) -> dict:
    by_status = dict.fromkeys(STATUSES, 0)
    for m in records:
        by_status[status_on(m, day)] += 1
    total = sum(by_status.values())
    denominator = total - by_status["cancelled"]
    rate = (by_status["implemented"] + 0.5 * by_status["partially_implemented"]) / denominator if denominator else None
    return {"total": total, "by_status": by_status, "implementation_rate": rate}


def followup(rounds: list[dict], today: date) -> dict:
    due = [r for r in rounds if r["due"] < today]
    on_time = [r for r in due if r["submitted"] is not None and r["submitted"] <= r["due"]]
    return {
        "rounds_due": len(due),
        "rounds_submitted_on_time": len(on_time),
        "compliance_rate": len(on_time) / len(due) if due else None,
    }


def maturity(assessments: list[dict], as_of: date | None = None) -> dict:
    finals = sorted(
        (a for a in assessments if a["status"] == "final" and (as_of is None or a["end"] <= as_of)),
        key=lambda a: (a["start"], a["id"]),
    )
    if not finals:
        return {"baseline": {}, "latest": {}, "change": {}}
    first, last = finals[0], finals[-1]
    change = (
        {}
        if first is last
        else {k: last["levels"][k] - first["levels"][k] for k in last["levels"] if k in first["levels"]}
    )
    return {"baseline": dict(first["levels"]), "latest": dict(last["levels"]), "change": change}


def assert_close(actual, expected, path="") -> None:
    """Recursive comparison: floats to 1e-9 (relative), everything else equal."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not a dict"
        assert set(map(str, actual)) == set(map(str, expected)), f"{path}: keys {sorted(actual)} vs {sorted(expected)}"
        for key, value in expected.items():
            got = actual[key] if key in actual else actual[str(key)]
            assert_close(got, value, f"{path}.{key}")
        return
    if expected is None or actual is None:
        assert actual is None and expected is None, f"{path}: {actual!r} != {expected!r}"
        return
    if isinstance(expected, float | np.floating) or isinstance(actual, float):
        assert math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-12), (
            f"{path}: {actual} != {expected}"
        )
        return
    assert actual == expected, f"{path}: {actual!r} != {expected!r}"
