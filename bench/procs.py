"""Sampling the memory and CPU of a running server (started by processes/lifecycle.py).

A server is a process tree (``SANIC_WORKERS`` > 1 forks workers), so memory is the
resident set of the whole tree, and CPU time is summed over it too: CPU-milliseconds per
message is the measure least disturbed by other work on a shared machine.
"""

from __future__ import annotations

import asyncio
from typing import List

import psutil


def tree(pid: int) -> List[psutil.Process]:
    try:
        parent = psutil.Process(pid)
        return [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss_mb(pid: int) -> float:
    total = 0
    for process in tree(pid):
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def tree_cpu_seconds(pid: int) -> float:
    total = 0.0
    for process in tree(pid):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


async def sample_rss(pid: int, samples: List[float], stop: asyncio.Event, every: float = 0.5) -> None:
    """Records the resident memory of ``pid``'s tree until ``stop`` is set (peak is what we report)."""
    while not stop.is_set():
        samples.append(tree_rss_mb(pid))
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
        except asyncio.TimeoutError:
            pass
