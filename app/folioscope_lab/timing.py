"""Timing side by side: warm every side, then let them take turns, round after round."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

ROUNDS = 3


def interleaved(sides: dict[str, Callable[[], object]], rounds: int = ROUNDS) -> dict[str, list[float]]:
    """Seconds of each side in every round; each side runs once first, untimed (warm-up),
    and then the sides take turns, so a slow moment of the machine hits all of them."""
    for fn in sides.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, fn in sides.items():
            started = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - started)
    return times


def rate(count: float, seconds: list[float], digits: int = 2) -> dict:
    """count / seconds as median and range over the rounds."""
    rates = sorted(count / s for s in seconds)
    return {"median": round(statistics.median(rates), digits), "range": [round(rates[0], digits),
                                                                           round(rates[-1], digits)]}


def percentiles_ms(samples: list[float]) -> dict:
    """Median and 95th percentile of millisecond samples."""
    return {"p50": round(statistics.median(samples), 2), "p95": round(float(np.percentile(samples, 95)), 2)}
