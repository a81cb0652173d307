"""The sliding-window rate limit: a fixed number per minute, per key, in bounded memory."""

from bot.channels.rate_limit import SlidingWindowLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_limit_applies_per_key_and_frees_up_as_the_window_slides():
    clock = Clock()
    limiter = SlidingWindowLimiter(3, window=60, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b"), "another sender is not affected"
    assert limiter.retry_after("a") == 61
    clock.now += 30
    assert not limiter.allow("a"), "refused attempts do not extend the wait, but the window has not passed"
    clock.now += 31
    assert limiter.allow("a")


def test_zero_means_no_limit():
    limiter = SlidingWindowLimiter(0)
    assert all(limiter.allow("a") for _ in range(1000))


def test_memory_stays_bounded_however_many_senders_are_invented():
    clock = Clock()
    limiter = SlidingWindowLimiter(5, window=60, max_keys=100, clock=clock)
    for n in range(10_000):
        limiter.allow(f"sender-{n}")
        clock.now += 0.001
    assert len(limiter._hits) <= 100
