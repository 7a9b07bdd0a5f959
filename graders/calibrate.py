"""Agreement between a judge and human raters.

Spearman ρ, quadratic-weighted κ, exact and ±1 agreement, each with a bootstrap 95 % interval.
"""

from __future__ import annotations

import numpy as np

LEVELS = 6  # scores 0..5


def spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman rank correlation (average ranks for ties); None when either side is constant."""

    def ranks(x: np.ndarray) -> np.ndarray:
        order = x.argsort(kind="mergesort")
        r = np.empty(len(x))
        r[order] = np.arange(len(x), dtype=float)
        for value in np.unique(x):
            tied = x == value
            r[tied] = r[tied].mean()
        return r

    if len(a) < 2 or np.all(a == a[0]) or np.all(b == b[0]):
        return None
    return float(np.corrcoef(ranks(a), ranks(b))[0, 1])


def quadratic_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's κ with quadratic weights on the 0-5 scale (scores rounded to integers)."""
    x, y = np.clip(np.rint(a), 0, 5).astype(int), np.clip(np.rint(b), 0, 5).astype(int)
    observed = np.zeros((LEVELS, LEVELS))
    for i, j in zip(x, y, strict=True):
        observed[i, j] += 1
    weights = np.array([[(i - j) ** 2 for j in range(LEVELS)] for i in range(LEVELS)]) / (LEVELS - 1) ** 2
    expected = np.outer(observed.sum(1), observed.sum(0)) / max(len(x), 1)
    denominator = (weights * expected).sum()
    return None if denominator == 0 else float(1 - (weights * observed).sum() / denominator)


def _stats(a: np.ndarray, b: np.ndarray) -> dict[str, float | None]:
    return {
        "spearman": spearman(a, b),
        "qwk": quadratic_kappa(a, b),
        "exact": float(np.mean(np.rint(a) == np.rint(b))),
        "within_1": float(np.mean(np.abs(a - b) <= 1)),
    }


def agreement(human: list[float], judge: list[float], resamples: int = 2000, seed: int = 0) -> dict[str, object]:
    """Statistics on paired scores, with percentile bootstrap 95 % intervals."""
    a, b = np.asarray(human, dtype=float), np.asarray(judge, dtype=float)
    if len(a) == 0:
        empty = {"value": None, "ci95": None}
        return {"n": 0, "spearman": empty, "qwk": empty, "exact": empty, "within_1": empty}
    point = _stats(a, b)
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = {k: [] for k in point}
    for _ in range(resamples if len(a) >= 2 else 0):
        index = rng.integers(0, len(a), len(a))
        for key, value in _stats(a[index], b[index]).items():
            if value is not None and not np.isnan(value):
                samples[key].append(value)
    result: dict[str, object] = {"n": len(a)}
    for key, value in point.items():
        low_high = np.percentile(samples[key], [2.5, 97.5]).round(4).tolist() if samples[key] else None
        result[key] = {"value": None if value is None else round(value, 4), "ci95": low_high}
    return result
