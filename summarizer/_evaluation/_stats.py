"""How far a figure measured on a few cases can be trusted: bootstrap intervals.

On a 25-case gold set one case moves a share by 0.04, so two prompts or models
that differ by 0.04 may differ by a single article. An evaluation reports each
per-case figure with a 95% percentile-bootstrap interval of its mean (cases
resampled with replacement), and a benchmark reports the interval of the paired
difference between two pipelines on the same cases. The seed is fixed so that
the same records always give the same report.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence

LEVEL = 0.95
RESAMPLES = 2000
SEED = 0

Interval = tuple[float, float]


def mean_interval(
    values: Sequence[float | None], *, resamples: int = RESAMPLES, seed: int = SEED
) -> Interval | None:
    """The 95% bootstrap interval of the mean of `values` (None left out), or None if empty."""
    got = [v for v in values if v is not None]
    if not got:
        return None
    rng = random.Random(seed)
    n = len(got)
    means = sorted(statistics.fmean(rng.choices(got, k=n)) for _ in range(resamples))
    tail = (1 - LEVEL) / 2
    low = means[int(tail * resamples)]
    high = means[min(resamples - 1, int((1 - tail) * resamples))]
    return (low, high)


def paired_differences(a: Sequence[float | None], b: Sequence[float | None]) -> list[float]:
    """a[i] - b[i] for the cases both have a value for.

    Paired: each case is compared with itself, so articles that are hard for both
    do not widen the interval as they would if the two means were bootstrapped apart.
    """
    if len(a) != len(b):
        raise ValueError(f"paired figures need the same cases: {len(a)} and {len(b)}")
    return [x - y for x, y in zip(a, b, strict=True) if x is not None and y is not None]
