"use strict";
// The chat page. Every piece of model or user text goes in with textContent, never innerHTML.

const state = {
  session: "",
  personas: {}, // id -> version (with hero, universe)
  heroes: {}, // hero slug -> [version ids]
  participants: [], // [{id, hero, name}]
  busy: false,
};
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "className") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  if (text !== null) node.textContent = text;
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(await readError(response));
  return response.json();
}

function setStatus(text, isError = false) {
  const status = $("status");
  status.textContent = text;
  status.dataset.kind = isError ? "error" : "info";
}

function sessionPath(suffix = "") {
  return `/api/sessions/${encodeURIComponent(state.session)}${suffix}`;
}

// ---- persona picker -------------------------------------------------------------------------

function renderPicker(universes) {
  const picker = $("persona-picker");
  picker.replaceChildren();
  for (const universe of universes) {
    const group = el("details", { className: "universe", open: true, "data-universe": universe.universe });
    group.append(el("summary", {}, universe.universe));
    for (const hero of universe.heroes) {
      const box = el("div", { className: "hero", "data-hero": hero.hero });
      box.append(el("h3", {}, hero.name));
      const list = el("div", { className: "versions" });
      state.heroes[hero.hero] = hero.versions.map((v) => v.id);
      for (const version of hero.versions) {
        state.personas[version.id] = { ...version, hero: hero.hero, heroName: hero.name };
        const button = el("button", { type: "button", className: "persona", title: version.label }, version.version_label);
        button.setAttribute("data-persona-id", version.id);
        button.addEventListener("click", () => pick(version.id));
        list.append(button);
      }
      box.append(list);
      group.append(box);
    }
    picker.append(group);
  }
}

function filterPicker() {
  const words = $("persona-filter").value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const hero of document.querySelectorAll("#persona-picker .hero")) {
    let shown = 0;
    for (const button of hero.querySelectorAll("button.persona")) {
      const version = state.personas[button.dataset.personaId];
      const haystack = `${version.id} ${version.label} ${version.heroName} ${version.continuity}`.toLowerCase();
      const match = words.every((w) => haystack.includes(w));
      button.hidden = !match;
      shown += match ? 1 : 0;
    }
    hero.hidden = shown === 0;
  }
}

async function pick(id) {
  const ids = state.participants.map((p) => p.id);
  if (!$("scene-mode").checked) return setParticipants([id]);
  if (ids.includes(id)) {
    if (ids.length === 1) return setStatus("A scene keeps at least one version.", true);
    return setParticipants(ids.filter((p) => p !== id));
  }
  return setParticipants([...ids, id]);
}

async function setParticipants(ids) {
  try {
    const result = await api("POST", sessionPath("/participants"), { persona_ids: ids });
    state.participants = result.participants;
    renderParticipants();
    const names = state.participants.map((p) => p.name).join("; ");
    addNotice(state.participants.length > 1 ? `In this scene: ${names}` : `Now talking with ${names}.`);
    setStatus("");
  } catch (error) {
    setStatus(error.message, true);
  }
}

// ---- participants and version switch ---------------------------------------------------------

function renderParticipants() {
  const chips = $("participants");
  const switcher = $("version-switch");
  chips.replaceChildren();
  switcher.replaceChildren();
  if (!state.participants.length) chips.append(el("span", { className: "muted" }, "Pick a persona on the left."));
  const ids = state.participants.map((p) => p.id);
  for (const participant of state.participants) {
    const chip = el("span", { className: "participant", "data-persona-id": participant.id }, participant.name);
    if (state.participants.length > 1) {
      const drop = el("button", { type: "button", className: "drop", title: "Leave the scene" }, "×");
      drop.setAttribute("data-drop", participant.id);
      drop.addEventListener("click", () => setParticipants(ids.filter((p) => p !== participant.id)));
      chip.append(drop);
    }
    chips.append(chip);
    const siblings = state.heroes[participant.hero] || [];
    if (siblings.length < 2) continue;
    const row = el("div", { className: "switch-row", "data-for": participant.id });
    row.append(el("span", { className: "muted" }, "Version: "));
    for (const sibling of siblings) {
      const version = state.personas[sibling];
      const current = sibling === participant.id;
      const button = el("button", { type: "button", className: "version-option", disabled: current || ids.includes(sibling) }, version.version_label);
      button.setAttribute("data-persona-id", sibling);
      button.setAttribute("aria-pressed", String(current));
      button.addEventListener("click", () => setParticipants(ids.map((p) => (p === participant.id ? sibling : p))));
      row.append(button);
    }
    switcher.append(row);
  }
  for (const button of document.querySelectorAll("#persona-picker button.persona")) {
    button.classList.toggle("active", ids.includes(button.dataset.personaId));
  }
}

// ---- messages -------------------------------------------------------------------------------

function scrollDown() {
  const box = $("messages");
  box.scrollTop = box.scrollHeight;
}

function addMessage(role, name, text, speaker = null) {
  const message = el("div", { className: `message ${role}`, "data-role": role });
  if (speaker) message.setAttribute("data-speaker", speaker);
  if (name) message.append(el("div", { className: "name" }, name));
  message.append(el("div", { className: "text" }, text));
  $("messages").append(message);
  scrollDown();
  return message;
}

function addThought(speaker, text) {
  const name = state.personas[speaker] ? state.personas[speaker].label : speaker;
  const thought = el("div", { className: "thought", "data-speaker": speaker });
  thought.append(el("div", { className: "name" }, `${name} thinks privately`), el("div", { className: "text" }, text));
  $("messages").append(thought);
  scrollDown();
}

function addNotice(text) {
  $("messages").append(el("div", { className: "notice" }, text));
  scrollDown();
}

function renderHistory(history, thoughts) {
  $("messages").replaceChildren();
  const before = {};
  for (const thought of thoughts || []) (before[thought.turn] = before[thought.turn] || []).push(thought);
  history.forEach((message, index) => {
    for (const thought of before[index] || []) addThought(thought.speaker, thought.text);
    const role = message.role === "persona" ? "persona" : message.role;
    const element = addMessage(role, message.name, message.text, message.speaker);
    if (role === "persona") element.dataset.done = "true";
  });
}

function onEvent(name, data) {
  if (name === "think") addThought(data.speaker, data.text);
  else if (name === "start") {
    state.current = addMessage("persona", data.name, "", data.speaker);
    state.current.dataset.streaming = "true";
  } else if (name === "token" && state.current) {
    state.current.querySelector(".text").textContent += data.text;
    scrollDown();
  } else if (name === "end" && state.current) {
    state.current.querySelector(".text").textContent = data.text;
    state.current.dataset.streaming = "false";
    state.current.dataset.done = "true";
    state.current = null;
  } else if (name === "error") {
    if (state.current) state.current.dataset.streaming = "false";
    state.current = null;
    const hint = data.hint ? ` ${data.hint}` : "";
    addMessage("error", "", `The model failed: ${data.text}.${hint} Your message is kept; send it again to retry.`);
  }
}

function setBusy(busy) {
  state.busy = busy;
  document.body.dataset.busy = String(busy);
  $("send-button").disabled = busy;
  $("stop-button").hidden = !busy;
}

// Like Ctrl-C in 'bow chat': stop the reply in progress; the server keeps what was said, marked [interrupted].
function stop() {
  if (state.controller) state.controller.abort();
}

async function send(event) {
  event.preventDefault();
  const input = $("message-input");
  const text = input.value.trim();
  if (!text || state.busy) return;
  if (!state.participants.length) return setStatus("Pick a persona first.", true);
  input.value = "";
  addMessage("user", "you", text);
  setBusy(true);
  setStatus("");
  state.controller = new AbortController();
  const body = { text, show_think: $("show-thoughts").checked };
  try {
    await postEvents(sessionPath("/messages"), body, onEvent, state.controller.signal);
  } catch (error) {
    if (error.name !== "AbortError") setStatus(error.message, true);
    else {
      const shown = state.current && state.current.querySelector(".text");
      if (shown) shown.textContent = `${shown.textContent.trim()} [interrupted]`.trim();
      setStatus("Stopped. What was said is kept.");
    }
  } finally {
    if (state.current) state.current.dataset.streaming = "false";
    state.controller = null;
    state.current = null;
    setBusy(false);
    input.focus();
  }
  await loadMemory();
}

// ---- memory, runs, sessions -----------------------------------------------------------------

async function loadMemory() {
  const list = $("memory-list");
  try {
    const memory = await api("GET", sessionPath("/memory"));
    list.replaceChildren();
    if (!memory.speakers.length) list.append(el("p", { className: "muted" }, "Nothing recalled yet: send a message."));
    for (const speaker of memory.speakers) {
      const block = el("div", { className: "memory-speaker", "data-persona-id": speaker.id });
      block.append(el("h3", {}, speaker.name));
      const items = el("ul");
      if (!speaker.recalled.length) items.append(el("li", { className: "muted" }, "(nothing recalled)"));
      for (const item of speaker.recalled) {
        const row = el("li", { className: "passage", "data-source": item.source, "data-passage-id": item.id || "" });
        const where = item.source === "canon" ? `canon ${item.stage || ""} ${item.id}` : "you told me";
        row.append(el("span", { className: "where" }, `[${where.trim()}] `), el("span", { className: "text" }, item.text));
        items.append(row);
      }
      block.append(items);
      list.append(block);
    }
  } catch (error) {
    setStatus(error.message, true);
  }
}

async function loadRuns() {
  const list = $("runs-list");
  try {
    const result = await api("GET", "/api/runs");
    list.replaceChildren();
    if (!result.runs.length) list.append(el("li", { className: "muted" }, `No runs yet under ${result.root}.`));
    for (const run of result.runs) {
      const row = el("li", { className: "run", "data-run": run.name });
      const link = el("a", { href: run.report, target: "_blank", rel: "noopener" }, run.name);
      const models = (run.models || []).join(", ");
      const meta = [run.suite, models, run.created_at, run.finished ? "" : "unfinished"].filter(Boolean).join(" · ");
      row.append(link, el("div", { className: "muted" }, meta));
      list.append(row);
    }
  } catch (error) {
    setStatus(error.message, true);
  }
}

async function loadSession() {
  const name = $("session-name").value.trim();
  if (!name) {
    $("session-name").value = state.session; // an emptied box keeps the current session
    return;
  }
  state.session = name;
  localStorage.setItem("bow-session", name);
  try {
    const session = await api("GET", sessionPath("?thoughts=true"));
    state.participants = session.participants;
    renderParticipants();
    renderHistory(session.history, session.thoughts);
    setStatus("");
  } catch (error) {
    setStatus(error.message, true);
  }
  await loadMemory();
}

async function init() {
  const info = await api("GET", "/api/info");
  $("model-info").textContent = `model ${info.model} · user ${info.user} · bow ${info.version}`;
  const sessions = $("session-list");
  for (const name of info.sessions) sessions.append(el("option", { value: name }));
  for (const notice of info.notices) setStatus(notice, true);
  state.session = localStorage.getItem("bow-session") || "web";
  $("session-name").value = state.session;
  renderPicker((await api("GET", "/api/personas")).universes);
  document.body.classList.toggle("show-thoughts", $("show-thoughts").checked);
  $("persona-filter").addEventListener("input", filterPicker);
  $("show-thoughts").addEventListener("change", (e) => document.body.classList.toggle("show-thoughts", e.target.checked));
  $("session-name").addEventListener("change", loadSession);
  $("composer").addEventListener("submit", send);
  $("stop-button").addEventListener("click", stop);
  $("message-input").addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.shiftKey) return;
    e.preventDefault();
    $("composer").requestSubmit();
  });
  await loadSession();
  await loadRuns();
  document.body.dataset.ready = "true";
}

init().catch((error) => setStatus(`The page could not start: ${error.message}`, true));
