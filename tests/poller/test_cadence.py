from __future__ import annotations

from studio.generations.poller import cadence


def fixed(value: float) -> cadence.Rand:
    return lambda: value


def test_within_expected_time_polls_every_two_to_five_seconds() -> None:
    for expected in (10.0, 60.0, 90.0, 600.0):
        for elapsed in (0.0, expected / 2, expected):
            for r in (0.0, 0.5, 1.0):
                delay = cadence.poll_interval(elapsed, expected, fixed(r))
                assert 2.0 * 0.9 <= delay <= 5.0 * 1.1


def test_short_jobs_are_polled_faster_than_long_ones() -> None:
    assert cadence.poll_interval(1, 20, fixed(0.5)) < cadence.poll_interval(1, 600, fixed(0.5))


def test_overdue_slows_to_fifteen_then_thirty_seconds_and_never_stops() -> None:
    just_over = cadence.poll_interval(61, 60, fixed(0.5))
    long_over = cadence.poll_interval(60 * 100, 60, fixed(0.5))
    assert 15.0 <= just_over < 16.0
    assert long_over == 30.0
    assert cadence.poll_interval(10**7, 60, fixed(1.0)) <= 33.0


def test_retry_after_is_a_floor() -> None:
    for r in (0.0, 0.5, 1.0):
        delay = cadence.retry_delay(1, 7.0, rand=fixed(r))
        assert 7.0 <= delay <= 7.0 * 1.1


def test_backoff_grows_and_is_capped() -> None:
    delays = [cadence.retry_delay(n, rand=fixed(1.0)) for n in range(1, 20)]
    assert delays[0] == cadence.BACKOFF_BASE_S
    assert delays == sorted(delays)
    assert max(delays) == cadence.BACKOFF_CAP_S
    assert cadence.retry_delay(3, rand=fixed(0.0)) > 0
    assert (
        cadence.retry_delay(50, cap=cadence.STUBBORN_CAP_S, rand=fixed(1.0))
        == cadence.STUBBORN_CAP_S
    )
