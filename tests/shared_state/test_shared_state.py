"""The shared-state stores against every backend they run on: SQLite (the default), and a real
Redis and PostgreSQL on 127.0.0.1 (harness/services.py). Two store objects on one address stand
for two processes; tests/e2e/test_shared_gateways.py runs real gateway processes over them."""
from __future__ import annotations

import threading
import time
import uuid

import pytest

from actions.handoff_store import HandoffRequest, HandoffStore
from bot.feedback_store import FeedbackStore, GivenAnswer
from bot.rate_limit import RedisRateLimiter, open_rate_limiter, RateLimiter
from bot.wechat.dedup import DedupStore
from bot.wechat.outbox import Outbox
from bot.wechat.replay import ReplayGuard
from bot.wechat.token_store import SharedTokenStore
from shared_state.errors import StoreUnavailable
from shared_state.expiring import open_expiring


@pytest.fixture(params=["sqlite", "postgres"])
def records_address(request, tmp_path):
    """Where lasting records go: a SQLite file, or the PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "records.sqlite")
    return request.getfixturevalue("postgres").url


@pytest.fixture(params=["sqlite", "redis"])
def keys_address(request, tmp_path):
    """Where short-lived keys go: a SQLite file, or the Redis server."""
    if request.param == "sqlite":
        return str(tmp_path / "keys.sqlite")
    return request.getfixturevalue("redis").url


def test_expiring_keys_add_put_get_delete_and_expire(keys_address):
    ns = f"t-{uuid.uuid4().hex[:6]}"
    one, two = open_expiring(keys_address, ns), open_expiring(keys_address, ns)
    assert one.add("k", "a", ttl=0.6)
    assert not two.add("k", "b", ttl=0.6)  # the other "process" sees the key
    assert two.get("k") == "a"
    two.delete("k", only_if="b")  # not its value: kept
    assert one.get("k") == "a"
    one.delete("k", only_if="a")
    assert two.get("k") is None and two.add("k", "b", ttl=0.6)
    one.put("k", "c", ttl=0.6)
    assert two.get("k") == "c"
    # Another namespace is another store.
    assert open_expiring(keys_address, ns + "-other").get("k") is None
    time.sleep(0.8)
    assert one.get("k") is None and two.add("k", "d", ttl=5)


def test_a_message_is_claimed_once_across_processes(keys_address):
    first, second = DedupStore(keys_address, lease=0.5), DedupStore(keys_address, lease=0.5)
    key = f"msg:{uuid.uuid4().hex}"
    assert first.claim(key) and not second.claim(key)
    time.sleep(0.7)  # the holder died: its lease ran out, the retry may answer
    assert second.claim(key)
    second.done(key)
    assert not first.claim(key)
    first.release(key)  # a done message is not released
    assert not second.claim(key)


def test_nonces_and_token_are_seen_by_every_process(keys_address):
    a, b = ReplayGuard(keys_address), ReplayGuard(keys_address)
    nonce = uuid.uuid4().hex
    assert a.first_use("1", nonce, b"body") and b.first_use("1", nonce, b"body")
    assert not b.first_use("1", nonce, b"another body")
    app_id = f"wx{uuid.uuid4().hex[:8]}"
    SharedTokenStore(keys_address).save(app_id, "TOKEN-1", time.time() + 60)
    stored = SharedTokenStore(keys_address).load(app_id)
    assert stored.token == "TOKEN-1" and stored.refresh_at > time.time()


def test_ratings_written_by_one_process_are_read_by_another(records_address):
    here, there = FeedbackStore(records_address), FeedbackStore(records_address)
    sender = f"s-{uuid.uuid4().hex[:6]}"
    answer_id, = here.remember_answers([GivenAnswer(sender, "问题", f"答复 {sender}", [{"label": "第一条"}])])
    assert there.rate(answer_id, sender, "down")
    assert not here.rate(answer_id, sender, "up")  # one rating per answer, whoever asks
    row = next(r for r in here.rows() if r.sender == sender)
    assert (row.rating, row.question, row.sources) == ("down", "问题", [{"label": "第一条"}])
    weak = next(w for w in there.worst(100) if w.answer == f"答复 {sender}")
    assert (weak.down, weak.up, weak.question) == (1, 0, "问题")


def test_handoffs_share_one_numbering(records_address):
    first, second = HandoffStore(records_address), HandoffStore(records_address)
    ids = [store.record(HandoffRequest(f"web:h{i}", "complaints", "zh", f"问题{i}", "channel"))
           for i, store in enumerate([first, second, first])]
    assert ids == sorted(ids) and len(set(ids)) == 3
    seen = {h.id: h.request.conversation_id for h in second.open_requests(1000)}
    assert [seen[i] for i in ids] == ["web:h0", "web:h1", "web:h2"]


def test_two_sweepers_never_take_one_outbox_entry(records_address):
    key = f"msg:{uuid.uuid4().hex}"
    Outbox(records_address).add(key, "openid", "问题", ["答复"], hold=0)
    boxes = [Outbox(records_address, lease=30) for _ in range(4)]
    taken: list[str] = []
    barrier = threading.Barrier(len(boxes))

    def sweep(box):
        barrier.wait()
        take, _ = box.take_due(limit=1000)
        taken.extend(p.key for p in take if p.key == key)

    threads = [threading.Thread(target=sweep, args=(b,)) for b in boxes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert taken == [key]


def test_redis_rate_limit_is_one_limit_for_every_process(redis):
    ns = f"t-{uuid.uuid4().hex[:6]}"
    a = open_rate_limiter(redis.url, ns, limit=3, window_seconds=1.0)
    b = open_rate_limiter(redis.url, ns, limit=3, window_seconds=1.0)
    assert isinstance(a, RedisRateLimiter)
    assert [lim.allow("sender") for lim in (a, b, a, b)] == [True, True, True, False]
    assert b.allow("someone else")
    time.sleep(1.1)  # the window slides past the first hits
    assert a.allow("sender")
    # Without an address each process counts alone (the default).
    assert isinstance(open_rate_limiter("", ns, 3, 1.0), RateLimiter)


def test_backends_out_of_reach_raise_store_unavailable(redis, postgres):
    ns = f"t-{uuid.uuid4().hex[:6]}"
    keys = open_expiring(redis.url, ns)
    limits = open_rate_limiter(redis.url, ns, 3, 60)
    ratings = FeedbackStore(postgres.url)
    assert keys.add("k", "v", 60) and limits.allow("x") and ratings.rows() is not None
    redis.stop()
    postgres.stop()
    try:
        for call in (lambda: keys.get("k"), lambda: limits.allow("x"), ratings.rows,
                     lambda: FeedbackStore(postgres.url).rows()):
            started = time.monotonic()
            with pytest.raises(StoreUnavailable) as caught:
                call()
            assert time.monotonic() - started < 10  # short timeouts: no request hangs on a store
            assert postgres.password not in str(caught.value)
    finally:
        redis.start()
        postgres.start()
    # Back without a restart of the stores: their connections are made again.
    assert keys.put("k", "w", 60) is None and keys.get("k") == "w"
    assert limits.allow("y")
    assert isinstance(ratings.rows(), list)
