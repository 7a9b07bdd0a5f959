import asyncio
import sqlite3

import pytest
from langchain_core.messages import HumanMessage

from bow.errors import ModelCallError
from bow.models.cache import ResponseCache
from bow.models.gateway import Gateway, RetryPolicy
from bow.models.scripted import ScriptedChatModel

QUESTION = [HumanMessage("Save the one you love, or the city?")]


async def no_sleep(_seconds: float) -> None:
    return None


def make_gateway(spec: str, tmp_path, **kwargs) -> Gateway:
    cache = ResponseCache(tmp_path / "cache.sqlite")
    return Gateway(spec, cache=cache, sleep=no_sleep, **kwargs)


async def test_cache_miss_then_hit(script_file, tmp_path):
    gateway = make_gateway(script_file(["The city.", "A different answer."]), tmp_path)
    first = await gateway.agenerate(QUESTION)
    second = await gateway.agenerate(QUESTION)
    assert (first.text, first.cached) == ("The city.", False)
    assert (second.text, second.cached) == ("The city.", True)
    stats = gateway.accounting.snapshot()[gateway.spec]
    assert stats["calls"] == 2 and stats["cache_hits"] == 1


async def test_cache_key_depends_on_params_and_messages(script_file, tmp_path):
    gateway = make_gateway(script_file(["one", "two", "three"]), tmp_path)
    assert (await gateway.agenerate(QUESTION)).text == "one"
    assert (await gateway.agenerate(QUESTION, temperature=0.7)).text == "two"
    assert (await gateway.agenerate([HumanMessage("Other question")])).text == "three"


async def test_no_cache_bypasses_reads(script_file, tmp_path):
    gateway = make_gateway(script_file(["first", "second"]), tmp_path)
    await gateway.agenerate(QUESTION)
    assert (await gateway.agenerate(QUESTION, use_cache=False)).text == "second"


async def test_retries_injected_failures_then_succeeds(script_file, tmp_path):
    spec = script_file([{"error": "rate_limit"}, {"error": "server"}, {"error": "timeout"}, "Recovered."])
    gateway = make_gateway(spec, tmp_path, retry=RetryPolicy(max_retries=3))
    reply = await gateway.agenerate(QUESTION)
    assert reply.text == "Recovered."
    assert gateway.accounting.snapshot()[spec]["retries"] == 3


async def test_gives_up_after_the_limit_with_a_clear_error(script_file, tmp_path):
    spec = script_file([{"error": "server"}])
    gateway = make_gateway(spec, tmp_path, retry=RetryPolicy(max_retries=2))
    with pytest.raises(ModelCallError) as info:
        await gateway.agenerate(QUESTION)
    assert "failed after 3 attempt(s)" in str(info.value)
    assert "server error" in str(info.value)
    assert gateway.accounting.snapshot()[spec]["failures"] == 1


async def test_non_retryable_error_fails_at_once(script_file, tmp_path):
    spec = script_file([{"error": "bad_request"}, "never reached"])
    gateway = make_gateway(spec, tmp_path)
    with pytest.raises(ModelCallError) as info:
        await gateway.agenerate(QUESTION)
    assert "after 1 attempt(s)" in str(info.value)


async def test_slow_call_times_out_and_is_retried(script_file, tmp_path):
    spec = script_file([{"reply": "too slow", "delay_s": 5}, "fast"])
    gateway = make_gateway(spec, tmp_path, retry=RetryPolicy(max_retries=1, timeout_s=0.05))
    assert (await gateway.agenerate(QUESTION)).text == "fast"


async def test_backoff_grows_exponentially_with_jitter(script_file, tmp_path):
    delays: list[float] = []

    async def record(seconds: float) -> None:
        delays.append(seconds)

    spec = script_file([{"error": "server"}])
    gateway = Gateway(spec, sleep=record, retry=RetryPolicy(max_retries=4, base_delay_s=1.0, max_delay_s=100))
    with pytest.raises(ModelCallError):
        await gateway.agenerate(QUESTION)
    assert len(delays) == 4
    assert all(0 <= d <= 2**i for i, d in enumerate(delays))


async def test_concurrency_limit_is_respected(tmp_path):
    in_flight = 0
    peak = 0

    class Counting(ScriptedChatModel):
        async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.02)
            in_flight -= 1
            return await super()._agenerate(messages, stop, run_manager, **kwargs)

    gateway = Gateway("scripted:counting", chat_model=Counting.from_replies(["ok"]), concurrency=3)
    await asyncio.gather(*(gateway.agenerate([HumanMessage(f"q{i}")]) for i in range(10)))
    assert peak == 3


async def test_api_keys_never_reach_the_disk(script_file, tmp_path, monkeypatch):
    secret = "sk-testsecret1234567890abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    spec = script_file([f"Your key is {secret}, and mine is sk-another000000000000key."])
    gateway = make_gateway(spec, tmp_path, params={"api_key": secret})
    reply = await gateway.agenerate(QUESTION)
    assert secret in reply.text  # the live reply is untouched
    gateway.cache.flush()  # writes are queued; look at what reaches the file
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("cache.sqlite*"))
    assert secret.encode() not in raw
    assert b"sk-another000000000000key" not in raw
    rows = sqlite3.connect(tmp_path / "cache.sqlite").execute("SELECT reply FROM replies").fetchall()
    assert "REDACTED" in rows[0][0]


async def test_reasoning_channel_is_kept_apart(script_file, tmp_path):
    gateway = make_gateway(
        script_file([{"reply": "<think>Rhodey first</think>I take the shot.", "reasoning": None}]), tmp_path
    )
    reply = await gateway.agenerate(QUESTION)
    assert reply.text == "I take the shot." and reply.reasoning == "Rhodey first"


async def test_stream_yields_pieces_and_caches_the_whole(script_file, tmp_path):
    gateway = make_gateway(script_file(["I am Iron Man."]), tmp_path)
    stream = gateway.stream(QUESTION)
    pieces = [piece async for piece in stream]
    assert len(pieces) > 1 and "".join(pieces) == "I am Iron Man."
    assert stream.reply is not None and stream.reply.text == "I am Iron Man."
    again = gateway.stream(QUESTION)
    assert [p async for p in again] == ["I am Iron Man."] and again.reply.cached


def test_sync_generate(script_file, tmp_path):
    gateway = make_gateway(script_file(["sync works"]), tmp_path)
    assert gateway.generate(QUESTION).text == "sync works"


def test_queued_cache_writes_are_served_then_committed_together(tmp_path):
    from bow.models.cache import ResponseCache
    from bow.models.reply import ModelReply

    cache = ResponseCache(tmp_path / "c.sqlite")
    replies = {f"k{i}": ModelReply(text=f"reply {i}", model="m") for i in range(50)}
    for key, reply in replies.items():
        cache.put(key, reply)
    assert cache.get("k7").text == "reply 7"  # served before it reaches the file
    cache.close()  # closing writes whatever is still queued
    reopened = ResponseCache(tmp_path / "c.sqlite")
    assert len(reopened) == 50 and reopened.get("k49").text == "reply 49"
    reopened.close()
