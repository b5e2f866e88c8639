"""Small statistics helpers (no scipy here): ratios, changes, Welch t, two-proportion z, t quantiles, errors."""
from __future__ import annotations

import math
from statistics import NormalDist


def safe_div(num: float, den: float) -> float:
    return num / den if den else 0.0


def pct_change(current: float, previous: float) -> float:
    """Relative change in percent; 0 when there is no previous value to compare with."""
    return (current - previous) / previous * 100.0 if previous else 0.0


def welch_t(mean1: float, sd1: float, n1: int, mean2: float, sd2: float, n2: int) -> float:
    """Welch's t of mean1 - mean2 (0 when either side has fewer than two records)."""
    if n1 < 2 or n2 < 2:
        return 0.0
    se = math.sqrt(sd1 * sd1 / n1 + sd2 * sd2 / n2)
    return (mean1 - mean2) / se if se > 0 else 0.0


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> float:
    """z of p1 - p2 with the pooled standard error (0 when undefined)."""
    if n1 == 0 or n2 == 0:
        return 0.0
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return (x1 / n1 - x2 / n2) / se if se > 0 else 0.0


def t_quantile(p: float, df: int) -> float:
    """Student t quantile by the Cornish-Fisher expansion around the normal quantile (good for df >= 5)."""
    z = NormalDist().inv_cdf(p)
    if df <= 0:
        return z
    z3, z5, z7 = z ** 3, z ** 5, z ** 7
    return (z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2)
            + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3))


def smape(actual: list[float], predicted: list[float]) -> float:
    """Symmetric MAPE in percent (0-200); pairs where both are 0 count as perfect."""
    terms = []
    for a, f in zip(actual, predicted):
        den = abs(a) + abs(f)
        terms.append(0.0 if den == 0 else 2.0 * abs(f - a) / den)
    return 100.0 * sum(terms) / len(terms) if terms else 0.0


def mape(actual: list[float], predicted: list[float]) -> float:
    """MAPE in percent over the pairs whose actual is not 0 (MAPE is undefined there)."""
    terms = [abs(f - a) / abs(a) for a, f in zip(actual, predicted) if a != 0]
    return 100.0 * sum(terms) / len(terms) if terms else 0.0


def wape(actual: list[float], predicted: list[float]) -> float:
    """Weighted absolute percentage error: sum|f - a| / sum|a| in percent (robust to zero-volume days)."""
    total = sum(abs(a) for a in actual)
    return 100.0 * sum(abs(f - a) for a, f in zip(actual, predicted)) / total if total else 0.0
