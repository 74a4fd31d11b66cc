"""The engine's in-flight window: Little's law, bounded, undone when it does not help."""

from __future__ import annotations

from civisms.sending.window import ADJUST_EVERY, HOLD, Window, machine_cpu


def idle_machine() -> tuple[float, float]:
    return 0.0, 0.0


def feed(window: Window, now: float, answers: int, latency: float) -> int:
    for _ in range(answers):
        window.answered(latency)
    return window.adjust(now + ADJUST_EVERY)


def test_a_slow_gateway_gets_rate_times_latency_in_flight() -> None:
    window = Window(machine=idle_machine, rate=1000.0, floor=32, ceiling=512)
    window.adjust(0.0)
    # 32 in flight at 200 ms: 160 answers a second, far below the 1,000/s allowed.
    size = feed(window, 0.0, 80, 0.2)
    assert size == 250  # 1,000/s x 0.2 s x 1.25 headroom
    # Judged once the new threads had time to get going: it raised the throughput, it stays.
    assert feed(window, ADJUST_EVERY, 300, 0.2) == 250
    assert feed(window, 2 * ADJUST_EVERY, 480, 0.2) == 250


def test_never_beyond_the_ceiling_nor_below_the_floor() -> None:
    window = Window(machine=idle_machine, rate=100_000.0, floor=32, ceiling=512)
    window.adjust(0.0)
    assert feed(window, 0.0, 100, 0.2) == 512
    fast = Window(machine=idle_machine, rate=1000.0, floor=32, ceiling=512)
    fast.adjust(0.0)
    assert feed(fast, 0.0, 400, 0.001) == 32


def test_a_window_that_did_not_raise_the_throughput_is_undone_and_held() -> None:
    # A fast gateway on a busy CPU: latency is queueing for the CPU, not the gateway.
    window = Window(machine=idle_machine, rate=1_000_000.0, floor=32, ceiling=512)
    window.adjust(0.0)
    assert feed(window, 0.0, 1000, 0.016) == 512
    assert feed(window, ADJUST_EVERY, 1000, 0.25) == 512  # getting going
    assert feed(window, 2 * ADJUST_EVERY, 1000, 0.25) == 32  # same throughput: back
    # Held for HOLD seconds, then tried again.
    assert feed(window, 3 * ADJUST_EVERY, 1000, 0.016) == 32
    assert feed(window, HOLD + 4 * ADJUST_EVERY, 1000, 0.016) == 512


def test_a_gateway_that_got_faster_needs_fewer_in_flight() -> None:
    window = Window(machine=idle_machine, rate=1000.0, floor=8, ceiling=512)
    window.adjust(0.0)
    assert feed(window, 0.0, 80, 0.2) == 250
    assert feed(window, ADJUST_EVERY, 500, 0.2) == 250
    assert feed(window, 2 * ADJUST_EVERY, 500, 0.05) == 63


def test_no_rate_limit_known_keeps_the_configured_concurrency() -> None:
    window = Window(machine=idle_machine, rate=None, floor=16, ceiling=512)
    window.adjust(0.0)
    assert feed(window, 0.0, 100, 0.2) == 16


def test_a_process_short_of_cpu_does_not_grow_its_window() -> None:
    # A fast local gateway: answers seem slow only because the senders wait for the CPU.
    used = [0.0]
    window = Window(machine=idle_machine, rate=1_000_000.0, floor=64, ceiling=512,
                    cpu=lambda: used[0])
    window.adjust(0.0)
    used[0] += 0.45  # 90 % of a core over the half second
    assert feed(window, 0.0, 1000, 0.016) == 64
    # With CPU to spare (a slow gateway), the same answers grow it.
    used[0] += 0.05
    assert feed(window, ADJUST_EVERY, 1000, 0.016) == 512


def test_on_a_crowded_machine_the_window_grows_by_doubling_each_step_judged() -> None:
    # Two workers and the database on a 2-core host: each process is below a core, the
    # machine is not. A slow gateway still gets its window, a step at a time.
    ticks = [0.0, 0.0]

    def crowded(answers: int, now: float) -> int:
        ticks[0] += 95.0
        ticks[1] += 100.0
        return feed(window, now, answers, 0.2)

    window = Window(rate=1000.0, floor=64, ceiling=512, cpu=lambda: 0.0,
                    machine=lambda: (ticks[0], ticks[1]))
    window.adjust(0.0)
    assert crowded(160, 0.0) == 128  # 64 in flight at 200 ms: wants 250, gets double
    assert crowded(320, ADJUST_EVERY) == 128  # getting going
    assert abs(crowded(320, 2 * ADJUST_EVERY) - 250) <= 1  # it helped: next step (sums of
    # float latencies may round up by one)
    # A fast gateway on the crowded machine: one doubling tried, undone, held.
    fast = Window(rate=1_000_000.0, floor=64, ceiling=512, cpu=lambda: 0.0,
                  machine=lambda: (ticks[0], ticks[1]))
    fast.adjust(0.0)
    ticks[0] += 95.0
    ticks[1] += 100.0
    assert feed(fast, 0.0, 1000, 0.016) == 128


def test_the_machine_reading_counts_busy_and_total_ticks() -> None:
    busy, total = machine_cpu()
    assert 0 <= busy <= total
