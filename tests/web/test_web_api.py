"""The web API on a scripted model: personas, streaming order, scenes, thoughts, bad input, model failures."""

from bow.web.sse import parse_sse, sse
from personas.loader import PersonaLibrary
from tests.web.conftest import COMICS, MCU, say


def pick(client, session, *ids):
    return client.post(f"/api/sessions/{session}/participants", json={"persona_ids": list(ids)})


def test_personas_are_grouped_by_universe_then_hero(client_for):
    body = client_for(["hi"]).get("/api/personas").json()
    assert body["count"] == 90
    assert [u["universe"] for u in body["universes"]] == ["DC", "Marvel"]
    for universe in body["universes"]:
        names = [h["name"].lower() for h in universe["heroes"]]
        assert names == sorted(names)
        for hero in universe["heroes"]:
            assert hero["versions"] and all(v["id"].startswith(hero["hero"] + "/") for v in hero["versions"])
    marvel = next(u for u in body["universes"] if u["universe"] == "Marvel")
    iron_man = next(h for h in marvel["heroes"] if h["hero"] == "iron-man")
    versions = {v["id"]: v for v in iron_man["versions"]}
    assert {MCU, COMICS} <= set(versions) and iron_man["name"] == "Iron Man"
    assert versions[MCU]["version_label"] == "MCU, Avengers: Endgame (2019)"
    assert versions[MCU]["label"] == 'Tony Stark "Iron Man" (MCU, Avengers: Endgame (2019))'
    assert sum(len(h["versions"]) for u in body["universes"] for h in u["heroes"]) == 90


def test_a_reply_streams_as_sse_in_order_then_done(client_for):
    client = client_for(["Call {call}: I am Iron Man, and I do my own stunts."])
    chosen = pick(client, "s1", MCU)
    assert chosen.status_code == 200
    assert chosen.json()["participants"] == [
        {"id": MCU, "hero": "iron-man", "name": 'Tony Stark "Iron Man" (MCU, Avengers: Endgame (2019))'}
    ]
    events = say(client, "s1", "Who are you?")
    names = [name for name, _ in events]
    assert names[0] == "start" and names[-2:] == ["end", "done"] and set(names[1:-2]) == {"token"}
    assert len(names) > 6  # word by word, not one lump
    assert all(data["type"] == name for name, data in events)
    streamed = "".join(data["text"] for name, data in events if name == "token")
    assert streamed == events[-2][1]["text"] == "Call 1: I am Iron Man, and I do my own stunts."
    assert events[0][1]["name"].startswith("Tony Stark") and events[-1][1] == {"type": "done", "session": "s1"}
    session = client.get("/api/sessions/s1").json()
    assert [(m["role"], m["text"]) for m in session["history"]] == [("user", "Who are you?"), ("persona", streamed)]
    assert "thoughts" not in session and session["participants"][0]["id"] == MCU


def test_thoughts_stream_first_and_are_shown_only_when_asked(client_for):
    client = client_for([{"when": "think privately", "reply": "PRIVATE: she matters more"}, "Pepper, always."])
    pick(client, "t", MCU)
    events = say(client, "t", "Pepper or the city?", show_think=True)
    assert [n for n, _ in events][:2] == ["think", "start"] and events[0][1]["text"] == "PRIVATE: she matters more"
    assert "PRIVATE" not in client.get("/api/sessions/t").text
    thoughts = client.get("/api/sessions/t", params={"thoughts": "true"}).json()["thoughts"]
    assert [(t["speaker"], t["text"], t["turn"]) for t in thoughts] == [(MCU, "PRIVATE: she matters more", 1)]
    assert "think" not in [n for n, _ in say(client, "t", "And now?")]


def test_a_scene_answers_in_turn_and_the_version_switch_keeps_the_history(client_for):
    client = client_for(["Reply {call}."])
    assert pick(client, "scene", MCU, COMICS, MCU).json()["participants"][1]["id"] == COMICS  # duplicates dropped
    events = say(client, "scene", "Both of you: who built the first suit?")
    speakers = [(n, d["speaker"]) for n, d in events if n in ("start", "end")]
    assert speakers == [("start", MCU), ("end", MCU), ("start", COMICS), ("end", COMICS)]
    assert pick(client, "scene", COMICS).status_code == 200
    events = say(client, "scene", "Just you now.")
    assert {d["speaker"] for n, d in events if n == "start"} == {COMICS}
    assert events[0][1]["name"].endswith('"Iron Man" (Marvel Comics, Earth-616 (through Civil War, 2007))')
    assert len(client.get("/api/sessions/scene").json()["history"]) == 5


def test_an_unknown_persona_is_a_404_with_the_nearest_ids(client_for):
    client = client_for(["hi"])
    pick(client, "u", MCU)
    response = pick(client, "u", "iron-man/mcu")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "Unknown persona 'iron-man/mcu'." and MCU in body["hint"] and COMICS in body["hint"]
    assert client.get("/api/sessions/u").json()["participants"][0]["id"] == MCU  # unchanged


def test_a_model_failing_mid_reply_is_an_error_event_and_the_session_goes_on(client_for):
    client = client_for([{"reply": "I was about to say something", "error": "bad_request"}, "Back again."])
    pick(client, "f", MCU)
    events = say(client, "f", "Tell me about the cave.")
    names = [n for n, _ in events]
    assert names[0] == "start" and "token" in names and names[-2:] == ["error", "done"] and "end" not in names
    assert "bad request" in events[-2][1]["text"]
    history = client.get("/api/sessions/f").json()["history"]
    assert history[0]["text"] == "Tell me about the cave."
    partial = history[1]["text"]
    assert partial.startswith("I was about to say") and partial.endswith("[the reply failed here]")
    again = say(client, "f", "Try again?")
    assert [n for n, _ in again][-2:] == ["end", "done"] and again[-2][1]["text"] == "Back again."
    assert len(client.get("/api/sessions/f").json()["history"]) == 4


def test_memory_lists_the_canon_passages_used_for_the_last_reply(client_for):
    client = client_for(["I remember."], canon_memory=True)
    assert client.get("/api/sessions/m/memory").json()["speakers"] == []
    pick(client, "m", MCU)
    say(client, "m", "Tell me about Afghanistan and the cave where you built the suit.")
    (speaker,) = client.get("/api/sessions/m/memory").json()["speakers"]
    assert speaker["id"] == MCU and speaker["name"].startswith("Tony Stark")
    canon = [r for r in speaker["recalled"] if r["source"] == "canon"]
    assert canon and all(r["id"] and r["text"] and r["stage"] for r in canon)
    own = {passage.text for passage in PersonaLibrary.load().get(MCU).memory}
    assert {r["text"] for r in canon} <= own  # this version's own canon, nothing else


def test_bad_requests_are_clear_json(client_for):
    client = client_for(["hi"])
    nobody = client.post("/api/sessions/empty/messages", json={"text": "hello?"})
    assert nobody.status_code == 409 and nobody.json()["hint"] == "Pick a persona first."
    pick(client, "b", MCU)
    blank = client.post("/api/sessions/b/messages", json={"text": "   "})
    assert blank.status_code == 422 and blank.json()["error"] == "The message is empty."
    missing = client.post("/api/sessions/b/messages", json={})
    assert missing.status_code == 422 and "text" in missing.json()["error"]
    none = client.post("/api/sessions/b/participants", json={"persona_ids": []})
    assert none.status_code == 422 and "persona_ids" in none.json()["error"]
    bad_name = client.get("/api/sessions/..%20x")
    assert bad_name.status_code == 422 and bad_name.json()["error"].startswith("Bad request")
    lost = client.get("/api/nothing-here")
    assert lost.status_code == 404 and lost.json() == {"error": "No such page or API route.", "hint": None}


def test_info_names_the_model_user_and_saved_sessions(client_for):
    client = client_for(["hi"])
    pick(client, "saved", MCU)
    info = client.get("/api/info").json()
    assert info["model"].startswith("scripted:") and info["user"] == "tester" and info["sessions"] == ["saved"]


def test_parse_sse_reads_what_sse_writes():
    text = sse("token", {"text": "two\nlines: <b>"}) + sse("done", {})
    assert parse_sse(text) == [("token", {"text": "two\nlines: <b>"}), ("done", {})]
