"""The ``bow chat`` loop: read a line, run a command or stream the versions' replies.

Input and output are injectable (``read``/``write``) so tests drive it line by line and
compare the whole transcript. Ctrl-C stops a reply in progress (what was shown is kept);
at the prompt it only clears the line; ``/quit`` or end of input leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bow.errors import BowError

COMMANDS = {
    "/think": "/think on|off    show the private deliberation before each reply",
    "/memory": "/memory          what was recalled for the last reply (canon, and what you told this version)",
    "/switch": "/switch ID       talk to another version instead (it keeps none of the old one's canon or thoughts)",
    "/scene": "/scene add ID | /scene drop ID   several versions answer in turn (a multiversal scene)",
    "/scenario": "/scenario ID     play a scripted scenario here: you are the world, the version decides",
    "/history": "/history         the conversation so far",
    "/save": "/save FILE       the transcript as Markdown (.md) or JSON (.json)",
    "/help": "/help            this list",
    "/quit": "/quit            leave (the session is saved; --session NAME picks it up)",
}


class ChatRepl:
    """One terminal conversation over a ``ChatEngine``."""

    def __init__(
        self,
        engine: Any,
        session: str,
        *,
        read: Callable[[str], str] = input,
        write: Callable[[str], None] | None = None,
        show_think: bool = False,
    ) -> None:
        self.engine = engine
        self.session = session
        self.read = read
        self.write = write or (lambda text: print(text, end="", flush=True))
        self.show_think = show_think

    def say(self, text: str = "") -> None:
        """One line of output."""
        self.write(text + "\n")

    def loop(self, runner: asyncio.Runner) -> None:
        """Read and answer until /quit or end of input."""
        self.say("Type a message, or /help for commands.")
        while True:
            try:
                line = self.read("you> ").strip()
            except EOFError:
                self.say()
                break
            except KeyboardInterrupt:
                self.say("\n(Ctrl-C clears the line; /quit leaves.)")
                continue
            if not line:
                continue
            try:
                if line.startswith("/"):
                    if not runner.run(self.command(line)):
                        break
                else:
                    runner.run(self.converse(line))
            except KeyboardInterrupt:
                self.say("\n[stopped]")
            except BowError as exc:
                self.say(f"Error: {exc.message}" + (f"\n  {exc.hint}" if exc.hint else ""))
        self.say(f"Session '{self.session}' saved. Resume it with: bow chat --session {self.session}")

    async def converse(self, text: str, role: str = "user") -> dict[str, str]:
        """Send a message; stream each speaker's reply; return speaker → full reply."""
        replies: dict[str, str] = {}
        events = self.engine.send(self.session, text, role=role, show_think=self.show_think)
        async with contextlib.aclosing(events):
            async for event in events:
                kind = event["type"]
                if kind == "think":
                    self.say("  (thinking) " + event["text"].replace("\n", "\n  "))
                elif kind == "start":
                    self.write(f"{event['name']}: ")
                elif kind == "token":
                    self.write(event["text"])
                elif kind == "end":
                    self.say()
                    replies[event["speaker"]] = event["text"]
                elif kind == "error":
                    self.say(f"\n[the model failed: {event['text']}] Your message is kept; send it again to retry.")
        return replies

    async def command(self, line: str) -> bool:
        """Run an in-chat command; return False to leave."""
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        if name in ("/quit", "/exit"):
            return False
        handler = {
            "/help": self._help,
            "/think": self._think,
            "/memory": self._memory,
            "/switch": self._switch,
            "/scene": self._scene,
            "/scenario": self._scenario,
            "/history": self._history,
            "/save": self._save,
        }.get(name)
        if handler is None:
            near = difflib.get_close_matches(name, [*COMMANDS, "/exit"], n=1)
            self.say(f"Unknown command '{name}'." + (f" Did you mean {near[0]}?" if near else "") + " Try /help.")
            return True
        await handler(argument)
        return True

    async def _help(self, _: str) -> None:
        for text in COMMANDS.values():
            self.say(f"  {text}")

    async def _think(self, argument: str) -> None:
        if argument not in ("on", "off"):
            self.say("Usage: /think on|off")
            return
        self.show_think = argument == "on"
        self.say(f"Private thoughts {'shown' if self.show_think else 'hidden'}.")

    async def _memory(self, _: str) -> None:
        recalled = await self.engine.recalled(self.session)
        if not recalled:
            self.say("Nothing recalled yet: send a message first.")
        for speaker, items in recalled.items():
            self.say(f"{self.engine.name(speaker)} recalled:")
            if not items:
                self.say("  (nothing)")
            for item in items:
                where = f"canon {item['id']}" if item["source"] == "canon" else "you told me"
                self.say(f"  [{where}] {item['text']}")

    async def _switch(self, argument: str) -> None:
        if not argument:
            self.say("Usage: /switch PERSONA_ID")
            return
        await self.engine.set_participants(self.session, [argument])
        self.say(f"Now talking with {self.engine.name(argument)}.")

    async def _scene(self, argument: str) -> None:
        action, _, persona_id = argument.partition(" ")
        persona_id = persona_id.strip()
        current = await self.engine.participants(self.session)
        if action == "add" and persona_id:
            current = [*current, persona_id] if persona_id not in current else current
        elif action == "drop" and persona_id in current and len(current) > 1:
            current = [p for p in current if p != persona_id]
        elif action not in ("", "list"):
            self.say("Usage: /scene add ID | /scene drop ID (a scene keeps at least one version)")
            return
        await self.engine.set_participants(self.session, current)
        self.say("In this scene: " + "; ".join(self.engine.name(p) for p in current))

    async def _history(self, _: str) -> None:
        for message in await self.engine.history(self.session):
            self.say(f"{message['name']}: {message['text']}")

    async def _save(self, argument: str) -> None:
        if not argument:
            self.say("Usage: /save FILE.md or /save FILE.json")
            return
        path = Path(argument).expanduser()
        history = await self.engine.history(self.session)
        thoughts = await self.engine.thoughts(self.session)
        if path.suffix.lower() == ".json":
            data = {"session": self.session, "messages": history, "thoughts": thoughts}
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        else:
            text = f"# BOW chat: {self.session}\n\n" + "".join(f"**{m['name']}**: {m['text']}\n\n" for m in history)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.say(f"Could not save to {path}: {exc.strerror}.")
            return
        self.say(f"Saved {len(history)} messages to {path}.")

    async def _scenario(self, argument: str) -> None:
        from agents.chat.prompts import SCENARIO_DECIDE
        from agents.scenario.beats import playable_beats
        from agents.scenario.decision import read_decision

        if not argument:
            self.say("Usage: /scenario SCENARIO_ID (see 'bow scenario list')")
            return
        scenario = self.engine.settings.scenarios().get(argument)
        self.say(f"Scenario {scenario.id}. You are the world: press Enter to narrate the scene as written,")
        self.say("or type what happens instead.")
        previous = None
        for beat in playable_beats(scenario):
            narration = beat.narration(previous)
            self.say(f"\n[world] {narration}")
            options = "\n".join(f"{k}. {v}" for k, v in sorted(beat.choices.items()))
            self.say(options)
            try:
                typed = await asyncio.to_thread(self.read, "world> ")
            except EOFError:
                self.say("Scenario stopped.")
                return
            told = typed.strip() or narration
            replies = await self.converse(SCENARIO_DECIDE.format(narration=told, options=options), role="world")
            for speaker, reply in replies.items():
                decision = read_decision(reply, beat.choices, beat.allow_other)
                chosen = decision.choice if decision else "unclear"
                self.say(f"  -> {self.engine.name(speaker)} decided: {chosen}")
                previous = decision.choice if decision else previous
        self.say("End of scenario.")
