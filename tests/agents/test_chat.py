"""Chat engine: streaming, sessions that persist, memory of the user kept apart, versions kept apart, faults."""

import asyncio
import contextlib

import pytest
import yaml

from agents.chat.engine import ChatEngine
from bow.config import Settings
from bow.errors import BowError
from personas.loader import PersonaLibrary
from tests.fakes import HashEmbedder

MCU, COMICS = "iron-man/mcu-endgame", "iron-man/earth-616"
SECRET_THOUGHT = "PRIVATE-THOUGHT-7731 about Pepper"


def settings_for(tmp_path, replies, bow_home):
    script = tmp_path / "chat.yaml"
    script.write_text(yaml.safe_dump({"replies": replies}))
    return Settings(home_arg=str(bow_home), model=f"scripted:{script}")


REPLIES = [
    {"when": "think privately", "reply": SECRET_THOUGHT},
    {"reply": "Call {call}: I am Iron Man."},
]


@contextlib.asynccontextmanager
async def chat_session(tmp_path, replies, bow_home, session, personas, canon_memory=False):
    """An engine on scripted replies with hashed embeddings, and one session already cast."""
    async with ChatEngine(
        settings_for(tmp_path, replies, bow_home), embedder=HashEmbedder(), canon_memory=canon_memory
    ) as engine:
        await engine.set_participants(session, personas)
        yield engine


def run(coro):
    return asyncio.run(coro)


async def talk(engine, session, text, **options):
    return [event async for event in engine.send(session, text, **options)]


def test_a_reply_streams_in_pieces_and_is_kept(tmp_path, bow_home):
    async def go():
        async with chat_session(tmp_path, REPLIES, bow_home, "s", [MCU], canon_memory=True) as engine:
            events = await talk(engine, "s", "What keeps you up at night?")
            return events, await engine.history("s")

    events, history = run(go())
    kinds = [e["type"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end" and kinds.count("token") > 3
    streamed = "".join(e["text"] for e in events if e["type"] == "token")
    assert streamed == events[-1]["text"] == "Call 1: I am Iron Man."
    assert [(m["role"], m["text"]) for m in history] == [("user", "What keeps you up at night?"), ("persona", streamed)]


def test_a_session_resumes_and_remembers_the_user_in_other_sessions(tmp_path, bow_home):
    settings = settings_for(tmp_path, REPLIES, bow_home)

    async def first():
        async with ChatEngine(settings, embedder=HashEmbedder(), canon_memory=False) as engine:
            await engine.set_participants("workshop", [MCU])
            await talk(engine, "workshop", "My name is Ada and I build robots in Lisbon.")

    async def later():
        async with ChatEngine(settings, embedder=HashEmbedder(), canon_memory=False) as engine:
            resumed = await engine.history("workshop"), await engine.participants("workshop")
            await engine.set_participants("fresh", [MCU])
            await talk(engine, "fresh", "Do you remember where I build robots?")
            return resumed, engine.gateway.model.seen[-1], await engine.recalled("fresh")

    run(first())
    (history, participants), prompt, recalled = run(later())
    assert participants == [MCU] and history[0]["text"].startswith("My name is Ada")
    assert "My name is Ada and I build robots in Lisbon." in prompt[0]["content"]  # the system prompt
    assert [r["source"] for r in recalled[MCU]] == ["user"]


def test_a_switched_version_gets_none_of_the_old_ones_canon_or_thoughts(tmp_path, bow_home):
    library = PersonaLibrary.load()
    mcu_passages = [m.text for m in library.get(MCU).memory]

    async def go():
        async with chat_session(tmp_path, REPLIES, bow_home, "s", [MCU], canon_memory=True) as engine:
            await talk(engine, "s", "Tell me about the arc reactor and Pepper.", show_think=True)
            mcu_recalled = (await engine.recalled("s"))[MCU]
            seen_before = len(engine.gateway.model.seen)
            await engine.set_participants("s", [COMICS])
            await talk(engine, "s", "Tell me about the arc reactor and Pepper.", show_think=True)
            return mcu_recalled, engine.gateway.model.seen[seen_before:], await engine.thoughts("s")

    mcu_recalled, comics_prompts, thoughts = run(go())
    assert any(r["source"] == "canon" for r in mcu_recalled)  # the MCU version did use its canon
    shown = "\n".join(str(m["content"]) for prompt in comics_prompts for m in prompt)
    assert not [p for p in mcu_passages if p in shown]
    assert "Call 2: I am Iron Man." in shown  # the public conversation carries over
    assert [t["speaker"] for t in thoughts] == [MCU, COMICS]


def test_comics_version_never_sees_the_mcu_thought(tmp_path, bow_home):
    """Stricter: the MCU's private thought text appears in no prompt the comics version receives."""
    replies = [
        {"when": "think privately", "reply": "Thinking {call}."},
        {"reply": "Call {call}: noted."},
    ]

    async def go():
        async with chat_session(tmp_path, replies, bow_home, "s", [MCU]) as engine:
            await talk(engine, "s", "First question.", show_think=True)
            mcu_thought = (await engine.thoughts("s"))[0]["text"]
            before = len(engine.gateway.model.seen)
            await engine.set_participants("s", [COMICS])
            await talk(engine, "s", "Second question.", show_think=True)
            return mcu_thought, engine.gateway.model.seen[before:]

    mcu_thought, prompts = run(go())
    assert mcu_thought == "Thinking 1."
    assert all(mcu_thought not in str(m["content"]) for prompt in prompts for m in prompt)


def test_a_scene_answers_with_every_version_in_turn(tmp_path, bow_home):
    async def go():
        async with chat_session(tmp_path, REPLIES, bow_home, "scene", [COMICS, MCU]) as engine:
            events = await talk(engine, "scene", "Which of you is the real one?")
            return [e["speaker"] for e in events if e["type"] == "end"], engine.gateway.model.seen[-1]

    speakers, last_prompt = run(go())
    assert speakers == [COMICS, MCU]
    assert "says]: Call 1: I am Iron Man." in str(last_prompt)  # the MCU version heard the comics one


def test_unknown_persona_suggests_the_nearest(tmp_path, bow_home):
    async def go():
        async with ChatEngine(settings_for(tmp_path, REPLIES, bow_home), canon_memory=False) as engine:
            await engine.set_participants("s", ["iron-man/mcu"])

    with pytest.raises(BowError) as caught:
        run(go())
    assert "Unknown persona 'iron-man/mcu'" in caught.value.message and MCU in caught.value.hint


def test_a_model_failing_mid_reply_keeps_what_was_said_and_the_session_goes_on(tmp_path, bow_home):
    replies = [{"reply": "I was about to say", "error": "bad_request"}, {"reply": "Second try works."}]

    async def go():
        async with chat_session(tmp_path, replies, bow_home, "s", [MCU]) as engine:
            failed = await talk(engine, "s", "Hello?")
            again = await talk(engine, "s", "Hello again?")
            return failed, again, await engine.history("s")

    failed, again, history = run(go())
    assert failed[-1]["type"] == "error" and "bad request" in failed[-1]["text"]
    assert again[-1] == {"type": "end", "speaker": MCU, "text": "Second try works."}
    assert [m["text"] for m in history] == [
        "Hello?",
        "I was about to say [the reply failed here]",
        "Hello again?",
        "Second try works.",
    ]


def test_ctrl_c_stops_the_reply_and_keeps_the_part_already_shown(tmp_path, bow_home):
    replies = [{"reply": "one two three four five six seven eight", "delay_s": 0.0}]

    async def go():
        async with chat_session(tmp_path, replies, bow_home, "s", [MCU]) as engine:
            seen = []

            async def consume():
                events = engine.send("s", "Speak slowly.")
                async with contextlib.aclosing(events):  # as the REPL does
                    async for event in events:
                        seen.append(event)
                        if event["type"] == "token" and len(seen) == 3:
                            raise asyncio.CancelledError  # what Ctrl-C does to the running reply

            with pytest.raises(asyncio.CancelledError):
                await consume()
            after = await talk(engine, "s", "Are you still there?")
            return await engine.history("s"), after

    history, after = run(go())
    assert history[1]["text"] == "one two [interrupted]"
    assert after[-1]["type"] == "end" and len(history) == 4


def test_a_corrupt_history_file_is_set_aside_and_chat_goes_on(tmp_path, bow_home):
    history_file = bow_home / "chat" / "sessions.sqlite"
    history_file.parent.mkdir(parents=True)
    history_file.write_bytes(b"this is not a database" * 100)

    async def go():
        async with chat_session(tmp_path, REPLIES, bow_home, "s", [MCU]) as engine:
            events = await talk(engine, "s", "Still works?")
            return engine.notices, events

    notices, events = run(go())
    assert len(notices) == 1 and "moved to" in notices[0]
    aside = [p for p in history_file.parent.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert events[-1]["type"] == "end"
