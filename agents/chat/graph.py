"""The chat graph: next_speaker → recall → [think] → reply → remember → (next speaker | end).

Each message from the user is answered by every participant in turn (one normally; several
in a multiversal scene). Every node works for the current ``speaker`` only: it recalls from
that version's canon and from what the user told that version, and it sees its own private
thoughts, never another version's.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langgraph.graph import START, StateGraph
from langgraph.runtime import Runtime

from agents.chat import prompts
from agents.chat.state import ChatState
from agents.chat.user_memory import UserMemory
from agents.persona_agent import PersonaAgent
from bow.models.gateway import Gateway

HISTORY_MESSAGES = 16  # recent public messages a reply sees (small local models have short contexts)


@dataclass
class ChatDeps:
    """What the chat nodes need besides the state."""

    agent_for: Any
    """Callable: persona id → ``PersonaAgent`` (with its own canon memory, or none)."""
    gateway: Gateway
    user: str = "you"
    user_memory: UserMemory | None = None
    max_tokens: int | None = None
    agents: dict[str, PersonaAgent] = field(default_factory=dict)

    def agent(self, persona_id: str) -> PersonaAgent:
        """The agent for a version, created once per engine."""
        if persona_id not in self.agents:
            self.agents[persona_id] = self.agent_for(persona_id)
        return self.agents[persona_id]


def label(agent: PersonaAgent) -> str:
    """How a version is named to others: "Tony Stark (MCU, Avengers: Endgame (2019))"."""
    return str(agent.persona.label)


def last_prompt(state: ChatState) -> dict[str, Any]:
    """The message being answered: the latest one from the user or the world."""
    for message in reversed(state.get("messages") or []):
        if message["role"] in ("user", "world"):
            return message
    return {"role": "user", "text": ""}


def speaker_messages(deps: ChatDeps, state: ChatState, instruction: str | None = None) -> list[BaseMessage]:
    """The prompt for the current speaker: its profile, what it recalled, the public conversation."""
    speaker = state["speaker"]
    agent = deps.agent(speaker)
    system = f"{agent.system_prompt}\n\n{prompts.CHAT_RULES.format(user=deps.user)}"
    canon = [r for r in state.get("recalled") or [] if r["source"] == "canon"]
    told = [r for r in state.get("recalled") or [] if r["source"] == "user"]
    if canon:
        system += "\n\nWhat you remember that bears on this (your own canon):\n" + "\n".join(
            f"- {r['text']}" for r in canon
        )
    if told:
        system += "\n\n" + prompts.USER_MEMORY_BLOCK.format(
            user=deps.user, memories="\n".join(f"- {r['text']}" for r in told)
        )
    turns: list[BaseMessage] = []
    for message in (state.get("messages") or [])[-HISTORY_MESSAGES:]:
        if message["role"] == "persona" and message["speaker"] == speaker:
            turns.append(AIMessage(message["text"]))
        elif message["role"] == "persona":
            turns.append(HumanMessage(prompts.OTHER_SPEAKER.format(name=message["name"], text=message["text"])))
        elif message["role"] == "world":
            turns.append(HumanMessage(prompts.WORLD.format(text=message["text"])))
        else:
            turns.append(HumanMessage(message["text"]))
    if instruction:
        turns.append(HumanMessage(instruction))
    return [SystemMessage(system), *_merge_consecutive(turns)]


def _merge_consecutive(messages: list[BaseMessage]) -> list[BaseMessage]:
    """Chat templates expect user and assistant to alternate: join neighbours of the same kind."""
    merged: list[BaseMessage] = []
    for message in messages:
        if merged and type(merged[-1]) is type(message):
            merged[-1] = type(message)(f"{merged[-1].content}\n\n{message.content}")
        else:
            merged.append(message)
    return merged


async def next_speaker(state: ChatState) -> dict[str, Any]:
    """Node: the next participant in the queue takes the floor."""
    queue = list(state.get("queue") or [])
    return {"speaker": queue[0], "queue": queue[1:], "recalled": [], "think": ""}


async def recall(state: ChatState, runtime: Runtime[ChatDeps]) -> dict[str, Any]:
    """Node: the speaker's own canon passages, and what the user told this version before."""
    deps = runtime.context
    query = last_prompt(state)["text"]
    agent = deps.agent(state["speaker"])
    hits = await agent.arecall(query) if agent.memory is not None else []
    recalled = [{"source": "canon", "id": h.passage_id, "text": h.text, "stage": h.stage} for h in hits]
    if deps.user_memory is not None:
        told = await asyncio.to_thread(deps.user_memory.recall, deps.user, state["speaker"], query)
        recalled += [{"source": "user", "id": m["id"], "text": m["text"], "at": m["at"]} for m in told]
    return {"recalled": recalled}


async def think(state: ChatState, runtime: Runtime[ChatDeps]) -> dict[str, Any]:
    """Node: private deliberation (when the user asked to see it with ``/think on``)."""
    deps = runtime.context
    reply = await deps.gateway.agenerate(
        speaker_messages(deps, state, prompts.THINK.format(user=deps.user)), **_budget(deps)
    )
    text = reply.text.strip()
    runtime.stream_writer({"type": "think", "speaker": state["speaker"], "text": text})
    return {"think": text}


async def reply(state: ChatState, runtime: Runtime[ChatDeps]) -> dict[str, Any]:
    """Node: the speaker's answer, streamed piece by piece."""
    deps = runtime.context
    speaker = state["speaker"]
    thought = state.get("think") or ""
    instruction = prompts.REPLY_AFTER_THINK.format(think=thought, user=deps.user) if thought else None
    runtime.stream_writer({"type": "start", "speaker": speaker, "name": label(deps.agent(speaker))})
    stream = deps.gateway.stream(speaker_messages(deps, state, instruction), **_budget(deps))
    pieces = []
    async for piece in stream:
        pieces.append(piece)
        runtime.stream_writer({"type": "token", "speaker": speaker, "text": piece})
    text = "".join(pieces).strip()
    turn = len(state.get("messages") or [])
    out: dict[str, Any] = {
        "messages": [{"role": "persona", "speaker": speaker, "name": label(deps.agent(speaker)), "text": text}],
        "last_recalled": {**(state.get("last_recalled") or {}), speaker: state.get("recalled") or []},
    }
    if thought:
        out["thoughts"] = [{"speaker": speaker, "text": thought, "turn": turn}]
    runtime.stream_writer({"type": "end", "speaker": speaker, "text": text})
    return out


async def remember(state: ChatState, runtime: Runtime[ChatDeps]) -> dict[str, Any]:
    """Node: keep what the user said about themselves, for this version, for later sessions."""
    deps = runtime.context
    prompt = last_prompt(state)
    if deps.user_memory is not None and prompt["role"] == "user":
        await asyncio.to_thread(deps.user_memory.remember, deps.user, state["speaker"], prompt["text"])
    return {}


def route_after_recall(state: ChatState) -> Literal["think", "reply"]:
    """Deliberate first only when asked to."""
    return "think" if state.get("show_think") else "reply"


def route_after_remember(state: ChatState) -> Literal["next_speaker", "__end__"]:
    """The next participant answers, until everyone has."""
    return "next_speaker" if state.get("queue") else "__end__"


def _budget(deps: ChatDeps) -> dict[str, Any]:
    return {} if deps.max_tokens is None else {"max_tokens": deps.max_tokens}


def build_chat_graph() -> StateGraph[ChatState, ChatDeps, ChatState, ChatState]:
    """The uncompiled chat graph; compile it with a checkpointer so sessions persist."""
    builder = StateGraph(ChatState, context_schema=ChatDeps)
    builder.add_node("next_speaker", next_speaker)
    builder.add_node("recall", recall)
    builder.add_node("think", think)
    builder.add_node("reply", reply)
    builder.add_node("remember", remember)
    builder.add_edge(START, "next_speaker")
    builder.add_edge("next_speaker", "recall")
    builder.add_conditional_edges("recall", route_after_recall)
    builder.add_edge("think", "reply")
    builder.add_edge("reply", "remember")
    builder.add_conditional_edges("remember", route_after_remember)
    return builder
