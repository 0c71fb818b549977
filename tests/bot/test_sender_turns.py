"""A sender's messages go to Rasa in the order they reached the gateway, in one process and
across processes sharing Redis; other senders are not held up; a lost turn does not block."""
import threading
import time


from bot.sender_turns import MemorySenderTurns, RedisSenderTurns


def burst(turns, sender: str, n: int, work: float = 0.05) -> list[int]:
    """n messages from one sender, sent 10 ms apart, each "answered" in a slower time than the
    gap and in reverse speed (the first is slowest): without turns they would finish reversed."""
    done: list[int] = []

    def message(i: int) -> None:
        time.sleep(0.01 * i)
        with turns.turn(sender):
            time.sleep(work * (n - i) / n)
            done.append(i)

    threads = [threading.Thread(target=message, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done


def test_memory_turns_keep_the_order_and_forget_idle_senders():
    turns = MemorySenderTurns(wait_seconds=10)
    assert burst(turns, "web:a", 8) == list(range(8))
    assert not turns._next and not turns._serving


def test_other_senders_are_not_held_up():
    turns = MemorySenderTurns(wait_seconds=10)
    started = threading.Event()

    def slow():
        with turns.turn("web:slow"):
            started.set()
            time.sleep(0.5)

    t = threading.Thread(target=slow)
    t.start()
    started.wait()
    t0 = time.monotonic()
    with turns.turn("web:other"):
        pass
    assert time.monotonic() - t0 < 0.1
    t.join()


def test_a_turn_never_taken_back_delays_but_does_not_block():
    turns = MemorySenderTurns(wait_seconds=0.3)
    held = turns.turn("web:a")
    held.__enter__()  # a request that never finishes
    t0 = time.monotonic()
    with turns.turn("web:a"):
        pass
    assert 0.25 <= time.monotonic() - t0 < 2


def test_redis_turns_keep_the_order_across_processes(redis):
    # Two "gateways": two clients on one Redis; the messages alternate between them.
    first, second = RedisSenderTurns(redis.url, 10), RedisSenderTurns(redis.url, 10)
    done: list[int] = []

    def message(i: int) -> None:
        time.sleep(0.02 * i)
        with (first if i % 2 else second).turn("web:b"):
            time.sleep(0.05 * (6 - i) / 6)
            done.append(i)

    threads = [threading.Thread(target=message, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert done == list(range(6))
