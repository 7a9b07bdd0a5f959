"""BOW's own OpenAI-compatible client: through the Gateway against the loopback mock, and on the wire."""

import asyncio
import json
import pickle

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage

from bow.devtools.mock_openai import MockOpenAIServer
from bow.errors import ModelCallError
from bow.models.gateway import Gateway, is_retryable
from bow.models.openai_compat import OpenAICompatChat, OpenAICompatHTTPError, OpenAICompatReplyError
from bow.models.registry import build_chat_model

KEY = "key-for-tests-0123456789"


@pytest.fixture(autouse=True)
def no_openai_env(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def on_wire(monkeypatch):
    """Make clients whose requests go to ``handler(body) -> httpx.Response``; gives the client and the bodies sent."""
    real_client = httpx.AsyncClient

    def make(handler, **kwargs) -> tuple[OpenAICompatChat, list[dict]]:
        sent: list[dict] = []

        def transport(request: httpx.Request) -> httpx.Response:
            seen = {"url": str(request.url), "auth": request.headers.get("authorization")}
            sent.append({**seen, **json.loads(request.content)})
            return handler(sent[-1])

        # The client's own construction (headers, limits, one per loop) still runs; only the transport is swapped.
        monkeypatch.setattr(
            httpx, "AsyncClient", lambda **kw: real_client(transport=httpx.MockTransport(transport), **kw)
        )
        return OpenAICompatChat("m", **kwargs), sent

    return make


def completion(content: str, **message_fields) -> httpx.Response:
    message = {"role": "assistant", "content": content, **message_fields}
    return httpx.Response(200, json={"choices": [{"message": message, "finish_reason": "stop"}]})


def test_the_registry_builds_the_native_client_with_the_same_key_rules(monkeypatch):
    model = build_chat_model("openai:mock", base_url="http://127.0.0.1:1/v1", temperature=0.2)
    assert isinstance(model, OpenAICompatChat) and model.api_key == "not-needed"
    assert model.params == {"temperature": 0.2} and model.supports_seed
    assert getattr(model, "max_concurrency", None) is None
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert build_chat_model("openai:gpt-4o-mini").base_url == "https://api.openai.com/v1"
    clone = pickle.loads(pickle.dumps(build_chat_model("openai:gpt-4o-mini")))
    assert clone.api_key == KEY and clone._clients == {}


async def test_a_plain_reply_through_the_gateway():
    with MockOpenAIServer(reply="Wakanda forever.") as server:
        gateway = Gateway("openai:mock", base_url=server.url)
        reply = await gateway.agenerate([HumanMessage("Who are you?")], use_cache=False)
    assert reply.text == "Wakanda forever."
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (10, 2)
    stats = gateway.accounting.snapshot()["openai:mock"]
    assert (stats["calls"], stats["input_tokens"], stats["output_tokens"], stats["retries"]) == (1, 10, 2, 0)


async def test_streaming_through_the_gateway_joins_to_the_reply():
    with MockOpenAIServer(reply="I can do this all day.") as server:
        stream = Gateway("openai:mock", base_url=server.url).stream([HumanMessage("hi")])
        pieces = [p async for p in stream]
    assert pieces == ["I", " can", " do", " this", " all", " day."]
    assert stream.reply is not None and stream.reply.text == "I can do this all day."
    assert stream.reply.usage.output_tokens == 6


async def test_503s_are_retried_until_the_server_answers():
    with MockOpenAIServer(reply="ok", fail_first=2, fail_status=503) as server:
        reply = await Gateway("openai:mock", base_url=server.url, sleep=no_sleep).agenerate([HumanMessage("hi")])
        assert server.requests == 3
    assert reply.text == "ok"


async def test_a_400_is_not_retried_and_is_one_line(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with MockOpenAIServer(fail_first=5, fail_status=400) as server:
        gateway = Gateway("openai:mock", base_url=server.url, sleep=no_sleep)
        with pytest.raises(ModelCallError) as info:
            await gateway.agenerate([HumanMessage("hi")])
        assert server.requests == 1
    text = str(info.value)
    assert "failed after 1 attempt(s)" in text and "HTTP 400: injected failure" in text
    assert "\n" not in text and info.value.hint is None and KEY not in text


async def test_a_200_that_is_not_json_is_retried():
    # Seed 27 at a 90% fault rate: the first request gets an HTML body, the second a normal reply.
    with MockOpenAIServer(reply="ok", fail_rate=0.9, seed=27) as server:
        reply = await Gateway("openai:mock", base_url=server.url, sleep=no_sleep).agenerate([HumanMessage("hi")])
        assert server.faults["not-json"] == 1 and server.requests == 2
    assert reply.text == "ok"


async def test_json_without_choices_is_a_retryable_reply_error(on_wire):
    chat, _ = on_wire(lambda body: httpx.Response(200, json={"object": "nothing"}), base_url="http://x/v1")
    with pytest.raises(OpenAICompatReplyError) as info:
        await chat.ainvoke([HumanMessage("hi")])
    assert is_retryable(info.value) and "not a chat completion" in str(info.value)

    replies = iter([httpx.Response(200, json={"choices": []}), completion("second time lucky")])
    chat, sent = on_wire(lambda body: next(replies), base_url="http://x/v1")
    gateway = Gateway("openai:m", chat_model=chat, sleep=no_sleep)
    reply = await gateway.agenerate([HumanMessage("hi")])
    assert reply.text == "second time lucky" and len(sent) == 2
    assert gateway.accounting.snapshot()["openai:m"]["retries"] == 1


async def test_the_key_is_sent_but_never_echoed_in_errors(on_wire):
    def handler(body):
        return httpx.Response(401, json={"error": {"message": f"Incorrect API key provided: {KEY}.\nGo away."}})

    chat, sent = on_wire(handler, base_url="http://x/v1", api_key=KEY)
    with pytest.raises(OpenAICompatHTTPError) as info:
        await chat.ainvoke([HumanMessage("hi")])
    assert sent[0]["auth"] == f"Bearer {KEY}"
    assert info.value.status_code == 401 and not is_retryable(info.value)
    assert KEY not in str(info.value) and "\n" not in str(info.value) and "Go away." in str(info.value)


async def test_a_non_json_error_body_gives_its_start(on_wire):
    chat, _ = on_wire(
        lambda body: httpx.Response(502, text="<html>bad gateway</html>" + "x" * 500), base_url="http://x"
    )
    with pytest.raises(OpenAICompatHTTPError) as info:
        await chat.ainvoke([HumanMessage("hi")])
    assert str(info.value).startswith("HTTP 502: <html>bad gateway</html>") and len(str(info.value)) < 220
    assert is_retryable(info.value)


async def test_messages_map_to_roles_and_params_merge(on_wire):
    chat, sent = on_wire(lambda body: completion("fine"), base_url="http://x/v1/", temperature=0.3, top_p=None)
    messages = [
        SystemMessage("You are Thor."),
        HumanMessage([{"type": "text", "text": "Hello "}, {"type": "image_url", "image_url": {}}, "there"]),
        AIMessage("Greetings."),
        HumanMessage("Choose."),
    ]
    await chat.ainvoke(messages, max_tokens=16, seed=3, cache_salt="repeat-1", stop=None)
    body = sent[0]
    assert body["url"] == "http://x/v1/chat/completions" and body["model"] == "m"
    assert body["messages"] == [
        {"role": "system", "content": "You are Thor."},
        {"role": "user", "content": "Hello there"},
        {"role": "assistant", "content": "Greetings."},
        {"role": "user", "content": "Choose."},
    ]
    params = {k: v for k, v in body.items() if k not in ("url", "auth", "model", "messages")}
    assert params == {"temperature": 0.3, "max_tokens": 16, "seed": 3}
    assert body["auth"] is None


async def test_openai_itself_gets_max_completion_tokens(on_wire):
    chat, sent = on_wire(lambda body: completion("hi"), api_key=KEY)
    await chat.ainvoke([HumanMessage("hi")], max_tokens=8)
    assert sent[0]["url"] == "https://api.openai.com/v1/chat/completions"
    assert sent[0]["max_completion_tokens"] == 8 and "max_tokens" not in sent[0]


async def test_reasoning_and_usage_come_back_on_the_message(on_wire):
    def handler(body):
        reply = completion("B", reasoning="Weigh the oath.").json()
        reply["usage"] = {"prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8}
        return httpx.Response(200, json=reply)

    chat, _ = on_wire(handler, base_url="http://x")
    message = await chat.ainvoke([HumanMessage("hi")])
    assert message.content == "B" and message.additional_kwargs == {"reasoning_content": "Weigh the oath."}
    assert message.usage_metadata == {"input_tokens": 7, "output_tokens": 1, "total_tokens": 8}
    assert message.response_metadata == {"finish_reason": "stop"}
    reply = await Gateway("openai:m", chat_model=chat).agenerate([HumanMessage("hi")])
    assert reply.reasoning == "Weigh the oath." and reply.usage.input_tokens == 7


def sse(*events) -> httpx.Response:
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})


async def test_a_stream_accumulates_reasoning_and_usage(on_wire):
    def delta(**fields):
        return {"choices": [{"index": 0, "delta": fields, "finish_reason": None}]}

    events = [
        delta(role="assistant", reasoning_content="Think "),
        delta(reasoning_content="twice."),
        delta(content="Act"),
        delta(content=" now."),
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}},
    ]
    chat, sent = on_wire(lambda body: sse(*events), base_url="http://x")
    chunks = [c async for c in chat.astream([HumanMessage("hi")])]
    assert sent[0]["stream"] is True and sent[0]["stream_options"] == {"include_usage": True}
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert all(isinstance(c, AIMessageChunk) for c in chunks) and len(chunks) == 6
    assert total.content == "Act now." and total.additional_kwargs == {"reasoning_content": "Think twice."}
    assert total.usage_metadata == {"input_tokens": 4, "output_tokens": 2, "total_tokens": 6}
    assert total.response_metadata == {"finish_reason": "stop"}


async def test_a_server_refusing_stream_options_is_asked_once_more_without_them(on_wire):
    def handler(body):
        if "stream_options" in body:
            return httpx.Response(400, json={"error": {"message": "Unrecognized request argument: stream_options"}})
        return sse({"choices": [{"delta": {"content": "ok"}}]})

    chat, sent = on_wire(handler, base_url="http://x")
    chunks = [c async for c in chat.astream([HumanMessage("hi")])]
    assert [c.content for c in chunks] == ["ok"] and len(sent) == 2 and "stream_options" not in sent[1]

    chat, sent = on_wire(
        lambda body: httpx.Response(400, json={"error": {"message": "bad model"}}), base_url="http://x"
    )
    with pytest.raises(OpenAICompatHTTPError, match="HTTP 400: bad model"):
        _ = [c async for c in chat.astream([HumanMessage("hi")])]
    assert len(sent) == 2  # one retry without stream_options, not more


async def test_a_garbled_stream_event_is_a_reply_error(on_wire):
    def handler(body):
        return httpx.Response(200, text="data: {not json\n\n", headers={"content-type": "text/event-stream"})

    chat, _ = on_wire(handler, base_url="http://x")
    with pytest.raises(OpenAICompatReplyError, match="not a completion chunk"):
        _ = [c async for c in chat.astream([HumanMessage("hi")])]


def test_one_http_client_per_event_loop():
    chat = OpenAICompatChat("m", base_url="http://x")

    async def client_twice():
        first = chat._client()
        assert chat._client() is first
        return first

    a, b = asyncio.run(client_twice()), asyncio.run(client_twice())
    assert a is not b and len(chat._clients) == 1  # the first loop's client was dropped with its loop
