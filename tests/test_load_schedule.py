"""The open-loop load's schedule (eval/load_schedule.py): the rate offered is the rate scheduled, and a
late turn's latency counts from when it was due, not from when it could finally go out."""

from __future__ import annotations

import asyncio
import time
from itertools import islice, pairwise

import pytest

from eval.load_http import _when_due
from eval.load_schedule import OpenLoop


def merged(loop: OpenLoop, per_slot: int) -> list[float]:
    return sorted(t for slot in range(loop.slots) for t in islice(loop.send_times(slot), per_slot))


def test_fixed_arrivals_spread_the_slots_evenly_at_the_offered_rate() -> None:
    loop = OpenLoop(rate=150, slots=50, arrivals="fixed")
    times = merged(loop, 20)
    assert times[0] == 0 and len(times) == 1000
    assert all(abs((b - a) - 1 / 150) < 1e-9 for a, b in pairwise(times))
    slot = list(islice(loop.send_times(7), 3))
    assert slot == pytest.approx([7 / 150, 7 / 150 + 50 / 150, 7 / 150 + 100 / 150])


def test_poisson_arrivals_average_the_offered_rate_and_vary() -> None:
    loop = OpenLoop(rate=150, slots=50)
    times = list(islice(loop.send_times(3), 20_001))
    gaps = [b - a for a, b in pairwise(times)]
    mean = sum(gaps) / len(gaps)
    assert mean == pytest.approx(50 / 150, rel=0.03)
    assert min(gaps) < 0.1 * mean and max(gaps) > 3 * mean  # exponential, not even
    times = merged(loop, 200)
    in_first_minute = sum(t < 60 for t in times)
    assert in_first_minute == pytest.approx(150 * 60, rel=0.05)


def test_a_schedule_is_the_same_for_the_same_seed_and_differs_between_slots_and_seeds() -> None:
    first = list(islice(OpenLoop(100, 10, seed=1).send_times(0), 5))
    assert first == list(islice(OpenLoop(100, 10, seed=1).send_times(0), 5))
    assert first != list(islice(OpenLoop(100, 10, seed=1).send_times(1), 5))
    assert first != list(islice(OpenLoop(100, 10, seed=2).send_times(0), 5))


def test_an_open_loop_needs_a_rate_and_a_slot() -> None:
    with pytest.raises(ValueError):
        OpenLoop(0, 10)
    with pytest.raises(ValueError):
        OpenLoop(10, 0)


def test_a_late_turn_counts_from_when_it_was_due_and_an_early_one_waits() -> None:
    now = time.perf_counter()
    late = iter([now - 5.0])  # due 5 s ago: its session was still waiting for a reply
    assert asyncio.run(_when_due(late)) == now - 5.0
    soon = now + 0.02
    assert asyncio.run(_when_due(iter([soon]))) == soon
    assert time.perf_counter() >= soon  # it did not go out before it was due
    before = time.perf_counter()
    assert asyncio.run(_when_due(None)) >= before  # closed loop: counts from now
