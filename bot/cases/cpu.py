"""How many CPU threads the narrative's model should use on a machine that others may be using.

llama.cpp's threads meet at a barrier after every layer: when the cores are already busy, a thread
that the system pauses holds up the others, and two threads on two busy cores write 2-7 times
slower than one (measured: 1.1-3.7 vs 7.6-8.2 tokens/s for the 1.5B model at load average 7.5 on 2
cores; prompt evaluation was slower with two as well). So the model gets the cores that are idle.
"""

from __future__ import annotations

import math
import os


def narrative_threads(cores: int, load1: float, configured: int | None = None) -> int:
    """Threads for the model: the configured number, else the idle cores (at least one).

    Args:
        cores: CPU cores of the machine.
        load1: the one-minute load average (runnable processes).
        configured: `settings.threads` when the user set it.
    """
    if configured:
        return configured
    return max(1, min(cores, cores - math.floor(load1)))


def current_threads(configured: int | None = None) -> int:
    """`narrative_threads` for this machine now."""
    cores = os.cpu_count() or 1
    try:
        load1 = os.getloadavg()[0]
    except OSError:  # no load average on this platform: assume the cores are free
        load1 = 0.0
    return narrative_threads(cores, load1, configured)
