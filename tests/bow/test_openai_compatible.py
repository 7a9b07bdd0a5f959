"""The openai backend against a real HTTP server on loopback (no network beyond it)."""

import pytest
from langchain_core.messages import HumanMessage

from bow.devtools.mock_openai import MockOpenAIServer
from bow.errors import ModelCallError
from bow.models.gateway import Gateway, RetryPolicy


async def no_sleep(_seconds: float) -> None:
    return None


async def test_openai_compatible_server_answers(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with MockOpenAIServer(reply="Wakanda forever.") as server:
        gateway = Gateway("openai:mock-model", base_url=server.url)
        reply = await gateway.agenerate([HumanMessage("Who are you?")])
    assert reply.text == "Wakanda forever."
    assert reply.usage.output_tokens == 2


async def test_server_errors_are_retried(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with MockOpenAIServer(reply="ok", fail_first=2, fail_status=503) as server:
        gateway = Gateway("openai:mock-model", base_url=server.url, sleep=no_sleep)
        reply = await gateway.agenerate([HumanMessage("hi")])
        assert server.requests == 3
    assert reply.text == "ok"


async def test_streaming_from_the_server(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with MockOpenAIServer(reply="I can do this all day.") as server:
        gateway = Gateway("openai:mock-model", base_url=server.url)
        stream = gateway.stream([HumanMessage("hi")])
        pieces = [p async for p in stream]
    assert "".join(pieces) == "I can do this all day." and len(pieces) == 6


async def test_unreachable_base_url_is_one_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    gateway = Gateway(
        "openai:mock-model",
        base_url="http://127.0.0.1:9/v1",
        sleep=no_sleep,
        retry=RetryPolicy(max_retries=1, timeout_s=10),
    )
    with pytest.raises(ModelCallError) as info:
        await gateway.agenerate([HumanMessage("hi")])
    assert "failed after 2 attempt(s)" in str(info.value)
    assert "Check --base-url" in str(info.value)
