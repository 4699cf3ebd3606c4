"""Bootstrap intervals: how far a figure measured on a few cases can be trusted."""

from __future__ import annotations

import pytest

from summarizer._evaluation._stats import mean_interval, paired_differences


def test_constant_values_have_a_zero_width_interval() -> None:
    assert mean_interval([0.5] * 10) == (0.5, 0.5)


def test_interval_brackets_the_mean_and_stays_in_range() -> None:
    values = [1.0] * 20 + [0.0] * 5  # a share of 0.80 on 25 cases
    low, high = mean_interval(values) or (0.0, 0.0)
    assert 0.0 <= low < 0.80 < high <= 1.0
    # One case moves the share by 0.04; the interval spans several cases either way.
    assert high - low > 0.2


def test_more_cases_give_a_narrower_interval() -> None:
    small = mean_interval([1.0] * 20 + [0.0] * 5) or (0.0, 1.0)
    large = mean_interval([1.0] * 200 + [0.0] * 50) or (0.0, 1.0)
    assert large[1] - large[0] < small[1] - small[0]


def test_same_records_same_interval_and_none_left_out() -> None:
    values = [0.2, 0.9, None, 0.4, 1.0, 0.0]
    assert mean_interval(values) == mean_interval(values)
    assert mean_interval(values) == mean_interval([v for v in values if v is not None])
    assert mean_interval([None, None]) is None
    assert mean_interval([]) is None


def test_paired_differences_compare_each_case_with_itself() -> None:
    ours = [1.0, 0.5, None, 0.0]
    theirs = [0.0, 0.5, 1.0, None]
    assert paired_differences(ours, theirs) == [1.0, 0.0]
    with pytest.raises(ValueError, match="same cases"):
        paired_differences([1.0], [1.0, 0.0])
