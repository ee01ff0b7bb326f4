"""When each session of an open-loop load sends its turns.

A closed loop (every session sends its next turn the moment the last reply arrives) measures the most
turns a server can do, but its latency says little: with N sessions always in flight the mean latency
is N / throughput whatever the server does. An open loop offers a fixed rate instead: `rate` turns/s
spread over `slots` concurrent sessions, each slot sending on its own schedule, one turn every
slots / rate seconds on average (evenly, or as a Poisson process: the merged stream of all slots is
then Poisson at `rate`). A turn whose session still waits for its last reply goes out when the reply
comes, and its latency counts from when it was due, so a slow server shows as latency instead of
quietly lowering the rate offered (coordinated omission).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Arrivals = Literal["poisson", "fixed"]


@dataclass(frozen=True)
class OpenLoop:
    rate: float  # turns per second offered over all slots together
    slots: int  # sessions in conversation at once
    arrivals: Arrivals = "poisson"
    seed: int = 0  # the same seed gives the same schedule

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.slots < 1:
            raise ValueError("an open loop needs a positive rate and at least one slot")

    @property
    def interval_s(self) -> float:
        """The mean time between two turns of one slot."""
        return self.slots / self.rate

    def send_times(self, slot: int) -> Iterator[float]:
        """Seconds after the start at which `slot` is due to send each of its turns, without end."""
        if self.arrivals == "fixed":
            due = slot / self.rate  # slots staggered: all together they send every 1/rate s
            while True:
                yield due
                due += self.interval_s
        draw = random.Random(f"{self.seed}/{slot}")
        due = draw.expovariate(1 / self.interval_s)
        while True:
            yield due
            due += draw.expovariate(1 / self.interval_s)
