"""``bow chat``: the REPL driven line by line on a scripted model, compared as a whole transcript."""

import asyncio

import yaml
from click.testing import CliRunner

from agents.chat.engine import ChatEngine
from bow.cli.chat_repl import ChatRepl
from bow.cli.main import cli
from bow.config import Settings
from tests.fakes import HashEmbedder

MCU = 'Tony Stark "Iron Man" (MCU, Avengers: Endgame (2019))'
COMICS = 'Anthony Edward "Tony" Stark "Iron Man" (Marvel Comics, Earth-616 (through Civil War, 2007))'


def script(tmp_path, replies):
    path = tmp_path / "chat.yaml"
    path.write_text(yaml.safe_dump({"replies": replies}))
    return f"scripted:{path}"


def drive(settings, lines, persona="iron-man/mcu-endgame", session="t"):
    """Run the REPL over ``lines``; return everything it printed (prompts included)."""
    pending = iter(lines)
    out: list[str] = []

    def read(prompt):
        out.append(prompt)
        try:
            line = next(pending)
        except StopIteration:
            raise EOFError from None
        out.append(line + "\n")  # echo, as a terminal shows it
        return line

    with asyncio.Runner() as runner:
        engine = ChatEngine(settings, embedder=HashEmbedder(), canon_memory=False, user="ada")
        runner.run(engine.__aenter__())
        try:
            runner.run(engine.set_participants(session, [persona]))
            ChatRepl(engine, session, read=read, write=out.append).loop(runner)
        finally:
            runner.run(engine.__aexit__(None, None, None))
    return "".join(out)


def test_a_conversation_with_commands_gives_exactly_this_transcript(tmp_path, bow_home):
    replies = [
        {"when": "think privately", "reply": "Ada seems sharp."},
        {"reply": "Reply {call}."},
    ]
    settings = Settings(home_arg=str(bow_home), model=script(tmp_path, replies))
    saved = tmp_path / "chat.md"
    transcript = drive(
        settings,
        [
            "My name is Ada and I build robots.",
            "/think on",
            "What do you fear?",
            "/memory",
            "/switch iron-man/earth-616",
            "/swich iron-man/mcu-endgame",
            "/switch iron-man/mcu",
            "Who are you?",
            f"/save {saved}",
            "/quit",
        ],
    )
    assert transcript == (
        "Type a message, or /help for commands.\n"
        "you> My name is Ada and I build robots.\n"
        f"{MCU}: Reply 1.\n"
        "you> /think on\n"
        "Private thoughts shown.\n"
        "you> What do you fear?\n"
        "  (thinking) Ada seems sharp.\n"
        f"{MCU}: Reply 3.\n"
        "you> /memory\n"
        f"{MCU} recalled:\n"
        "  [you told me] My name is Ada and I build robots.\n"
        "you> /switch iron-man/earth-616\n"
        f"Now talking with {COMICS}.\n"
        "you> /swich iron-man/mcu-endgame\n"
        "Unknown command '/swich'. Did you mean /switch? Try /help.\n"
        "you> /switch iron-man/mcu\n"
        "Error: Unknown persona 'iron-man/mcu'.\n"
        "  Did you mean: iron-man/mcu-endgame, iron-man/earth-616, iron-man/what-if-killmonger, "
        "spider-man/mcu-no-way-home?\n"
        "you> Who are you?\n"
        "  (thinking) Ada seems sharp.\n"
        f"{COMICS}: Reply 5.\n"
        f"you> /save {saved}\n"
        f"Saved 6 messages to {saved}.\n"
        "you> /quit\n"
        "Session 't' saved. Resume it with: bow chat --session t\n"
    )
    markdown = saved.read_text()
    assert markdown.startswith("# BOW chat: t\n") and f"**{COMICS}**: Reply 5." in markdown
    assert "Ada seems sharp" not in markdown  # private thoughts are not part of the public transcript


def test_a_scenario_inside_the_chat_with_the_user_as_the_world(tmp_path, bow_home):
    settings = Settings(home_arg=str(bow_home), model=script(tmp_path, ["I hold the line. DECISION: B"]))
    transcript = drive(settings, ["/scenario canon/iron-man/mcu-endgame/hero-1-1", ""])
    assert "[world] " in transcript and "A. " in transcript and "world> " in transcript
    assert f"  -> {MCU} decided: B\n" in transcript and "End of scenario." in transcript


def test_the_same_session_name_resumes_from_the_command_line(tmp_path, bow_home):
    model = script(tmp_path, ["Reply {call}."])
    runner = CliRunner()
    first = runner.invoke(
        cli,
        ["-m", model, "chat", "iron-man/mcu-endgame", "--session", "w", "--no-memory"],
        input="Hello there, I am Ada.\n/quit\n",
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(cli, ["-m", model, "chat", "--session", "w", "--no-memory"], input="/history\n/quit\n")
    assert second.exit_code == 0, second.output
    assert f"Session 'w' with {MCU} (2 earlier messages)." in second.output
    assert "you: Hello there, I am Ada." in second.output or "Hello there, I am Ada." in second.output


def test_unknown_persona_on_the_command_line_is_one_clear_error(tmp_path, bow_home):
    result = CliRunner().invoke(cli, ["-m", script(tmp_path, ["x"]), "chat", "iron-man/mcu", "--no-memory"])
    assert result.exit_code != 0
    assert "Unknown persona 'iron-man/mcu'" in result.output and "iron-man/mcu-endgame" in result.output
    assert "Traceback" not in result.output
