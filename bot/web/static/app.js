// tutorbot web chat: transcript, completion, pictures, buttons, live progress.
// Every string from the server is put on the page as text (textContent, Text nodes):
// the tiny markdown subset below builds elements, it never parses HTML.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
  const el = (tag, cls) => { const node = document.createElement(tag); if (cls) node.className = cls; return node; };
  const BULLET = /^\s*[-•*]\s+/;
  const FENCE = /^\s*```/;
  const SHOWN = 60;  // completions listed at once

  const state = {
    csrf: meta("csrf"), mode: meta("mode"), name: meta("learner"),
    admin: meta("admin") === "1", signed: meta("signed") === "1",
    catalog: null, nodes: new Map(), sent: [], recall: -1, draft: "",
    items: [], active: -1, start: 0, helloed: false,
  };

  // --- the server ---------------------------------------------------------------------
  async function api(path, body) {
    const res = await fetch(path, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf },
    });
    let data = {};
    try { data = await res.json(); } catch (_) { /* not JSON */ }
    if (!res.ok) throw new Error(data.error || `tutorbot answered ${res.status}; try again.`);
    return data;
  }

  function requestId() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- text: **bold**, _italic_, `code`, code fences, bullets ------------------------
  function inline(text, into) {
    const re = /`([^`\n]+)`|\*\*([^*\n]+?)\*\*|(^|[^\p{L}\p{N}_])_([^_\n]+?)_(?![\p{L}\p{N}_])/gu;
    let last = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const start = m.index + (m[3] || "").length;
      if (start > last) into.append(text.slice(last, start));
      if (m[1] !== undefined) { const code = el("code"); code.textContent = m[1]; into.append(code); }
      else if (m[2] !== undefined) { const b = el("strong"); inline(m[2], b); into.append(b); }
      else { const i = el("em"); inline(m[4], i); into.append(i); }
      last = re.lastIndex;
    }
    if (last < text.length) into.append(text.slice(last));
  }

  function markdown(text) {
    const out = document.createDocumentFragment();
    const lines = text.split("\n");
    for (let i = 0; i < lines.length;) {
      if (FENCE.test(lines[i])) {
        const body = [];
        for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i]);
        i++;
        const pre = el("pre"), code = el("code");
        code.textContent = body.join("\n");
        pre.append(code);
        out.append(pre);
      } else if (BULLET.test(lines[i])) {
        const ul = el("ul");
        for (; i < lines.length && BULLET.test(lines[i]); i++) {
          const li = el("li");
          inline(lines[i].replace(BULLET, ""), li);
          ul.append(li);
        }
        out.append(ul);
      } else if (!lines[i].trim()) {
        i++;
      } else {
        const p = el("p");
        for (let first = true; i < lines.length && lines[i].trim() && !FENCE.test(lines[i])
             && !BULLET.test(lines[i]); i++, first = false) {
          if (!first) p.append(el("br"));
          inline(lines[i], p);
        }
        out.append(p);
      }
    }
    return out;
  }

  // --- the transcript -----------------------------------------------------------------
  function pictures(images) {
    const box = el("div", "pictures");
    for (const image of images) {
      const thumb = el("button", "thumb");
      thumb.type = "button";
      thumb.title = "Click to enlarge";
      thumb.setAttribute("aria-label", `Enlarge picture: ${image.alt}`);
      const img = el("img");
      img.src = image.url;
      img.alt = image.alt;
      img.decoding = "async";
      thumb.append(img);
      thumb.addEventListener("click", () => enlarge(image));
      box.append(thumb);
    }
    return box;
  }

  function enlarge(image) {
    $("viewer-img").src = image.url;
    $("viewer-img").alt = image.alt;
    $("viewer-alt").textContent = image.alt;
    $("viewer").showModal();
  }

  function progressBlock(progress) {
    const box = el("div", "progress");
    const line = el("p", "spin");
    line.textContent = progress ? progress.text : "Working…";
    box.append(line);
    if (progress && progress.fraction !== null && progress.fraction !== undefined) {
      const bar = el("progress");
      bar.max = 1;
      bar.value = progress.fraction;
      bar.textContent = progress.bar || "";
      box.append(bar);
    }
    if (progress && progress.image) {
      const img = el("img");
      img.src = progress.image.url;
      img.alt = progress.image.alt;
      box.append(img);
    }
    return box;
  }

  function buttons(entry, withPress) {
    const row = el("div", "actions");
    entry.buttons.forEach((button, index) => {
      const node = el("button", button.style === "default" ? "" : button.style);
      node.type = "button";
      node.textContent = button.label;
      node.setAttribute("aria-pressed", String(entry.pressed === index));
      if (withPress) {
        node.addEventListener("click", async () => {
          node.disabled = true;
          try { await api("/api/press", { entry: entry.id, button: index }); }
          catch (err) { notice(err.message, true); }
          finally { node.disabled = false; }
        });
      } else {
        node.disabled = true;
      }
      row.append(node);
    });
    return row;
  }

  function render(entry, { withPress = true } = {}) {
    const node = el("li", `entry ${entry.who} ${entry.state}`);
    node.dataset.id = entry.id;
    if (entry.who === "you") {
      const line = el("p", "line");
      line.textContent = entry.text;
      node.append(line);
      return node;
    }
    if (entry.who === "press") {
      node.textContent = `▸ ${entry.text}`;
      return node;
    }
    if (entry.who === "post") {
      const label = el("p", "label");
      label.textContent = "Posted to the channel";
      node.append(label);
    }
    if (entry.state === "working") node.append(progressBlock(entry.progress));
    if (entry.text) {
      const body = el("div", "text");
      body.append(markdown(entry.text));
      node.append(body);
    }
    if (entry.images.length) node.append(pictures(entry.images));
    if (entry.command) {
      const again = el("p", "reproduce");
      const code = el("code");
      code.textContent = entry.command;
      const edit = el("button");
      edit.type = "button";
      edit.textContent = "Edit";
      edit.title = "Put this command in the input to change and run it";
      edit.addEventListener("click", () => { input.value = entry.command; input.focus(); });
      again.append("Reproduce: ", code, edit);
      node.append(again);
    }
    if (entry.buttons.length) node.append(buttons(entry, withPress));
    return node;
  }

  // The view follows the conversation while the learner is at its end (not while they
  // scroll back to read), also when a picture finishes loading and grows its entry.
  let follow = true;
  const atEnd = () => window.innerHeight + window.scrollY >=
    document.documentElement.scrollHeight - 120;
  window.addEventListener("scroll", () => { follow = atEnd(); }, { passive: true });
  function toEnd() { if (follow) window.scrollTo(0, document.documentElement.scrollHeight); }

  function upsert(entry) {
    const node = render(entry);
    const old = state.nodes.get(entry.id);
    if (old) old.replaceWith(node); else $("transcript").append(node);
    state.nodes.set(entry.id, node);
    $("welcome").hidden = true;
    if (entry.who === "you" && !old) { state.sent.push(entry.text); follow = true; }
    node.querySelectorAll("img").forEach((img) => img.addEventListener("load", toEnd));
    toEnd();
  }

  function hello(entries) {
    $("transcript").replaceChildren();
    state.nodes.clear();
    state.sent = [];
    entries.forEach(upsert);
    $("welcome").hidden = entries.length > 0;
    state.helloed = true;
    ready();
  }

  function ready() {
    if (!state.helloed || !state.catalog) return;
    if (!document.documentElement.dataset.ready) {
      document.documentElement.dataset.ready = "1";
      window.tutorbotReadyAt = performance.now();
    }
  }

  function notice(text, bad = false) {
    $("notice").textContent = text;
    $("notice").classList.toggle("bad", bad);
  }

  // --- completion ---------------------------------------------------------------------
  const values = (key) => (key && state.catalog.lists[key]) || [];

  function starting(list, typed) {
    const word = typed.toLowerCase();
    const found = list.filter((v) => v.toLowerCase().startsWith(word));
    if (found.length || !word) return found;
    return list.filter((v) => v.toLowerCase().split("/").pop().startsWith(word));  // zones by city
  }

  function findCommand(word) {
    const name = word.replace(/^\//, "").toLowerCase();
    return state.catalog.commands.find((c) => c.name === name);
  }

  // What the word before the caret may become: [{insert, label, hint}] and where it starts.
  function completions(before, asked) {
    const cut = before.lastIndexOf(" ") + 1;
    const word = before.slice(cut);
    if (!before.slice(0, cut).trim()) {
      if (!word.startsWith("/")) return { start: cut, items: [] };
      const items = state.catalog.commands
        .filter((c) => `/${c.name}`.startsWith(word.toLowerCase()))
        .map((c) => ({ insert: `/${c.name} `, label: `/${c.name}`, hint: c.help }));
      return { start: cut, items };
    }
    const words = before.trim().split(/\s+/);
    const command = findCommand(words[0]);
    if (!command) return { start: cut, items: [] };
    const eq = word.indexOf("=");
    if (eq > 0) {
      const option = command.options.find((o) => o.name === word.slice(0, eq).toLowerCase());
      if (!option) return { start: cut, items: [] };
      let typed = word.slice(eq + 1), prefix = word.slice(0, eq + 1);
      let list = values(option.values);
      if (option.list) {
        const comma = typed.lastIndexOf(",") + 1;
        const taken = typed.slice(0, comma).split(",");
        prefix += typed.slice(0, comma);
        typed = typed.slice(comma);
        list = list.filter((v) => !taken.includes(v));
      }
      const items = starting(list, typed).map((v) => ({
        insert: prefix + v + (option.list || v.endsWith(":") ? "" : " "), label: v,
        hint: v === option.default ? "default" : "" }));
      return { start: cut, items };
    }
    const used = new Set(words.slice(1).map((w) => w.split("=")[0].toLowerCase()));
    const firstText = words.length === 1 || (words.length === 2 && word !== "");
    if (!word && !asked && command.text && !firstText) return { start: cut, items: [] };
    const items = command.options
      .filter((o) => o.name.startsWith(word.toLowerCase()) && !used.has(o.name))
      .map((o) => ({ insert: `${o.name}=`, label: `${o.name}=`,
                     hint: `${o.help} — ${o.allowed}${o.default ? `; default ${o.default}` : ""}` }));
    if (command.text && firstText) {
      for (const v of starting(values(command.text.values), word)) {
        items.push({ insert: `${v} `, label: v, hint: command.text.name });
      }
    }
    return { start: cut, items };
  }

  function suggest(asked = false) {
    if (!state.catalog) return;
    const caret = input.selectionStart ?? input.value.length;
    const { start, items } = completions(input.value.slice(0, caret), asked);
    state.start = start;
    state.items = items.slice(0, SHOWN);
    state.active = asked && state.items.length ? 0 : -1;
    drawSuggestions();
  }

  function drawSuggestions() {
    const box = $("suggest");
    box.replaceChildren();
    state.items.forEach((item, index) => {
      const li = el("li");
      li.id = `suggest-${index}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(index === state.active));
      const value = el("span", "value");
      value.textContent = item.label;
      const hint = el("span", "hint");
      hint.textContent = item.hint;
      li.append(value, hint);
      li.addEventListener("mousedown", (event) => { event.preventDefault(); accept(index); });
      box.append(li);
    });
    const open = state.items.length > 0;
    box.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (state.active >= 0) {
      input.setAttribute("aria-activedescendant", `suggest-${state.active}`);
      $(`suggest-${state.active}`).scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function closeSuggestions() {
    state.items = [];
    state.active = -1;
    drawSuggestions();
  }

  function accept(index) {
    const item = state.items[index];
    const caret = input.selectionStart ?? input.value.length;
    const after = input.value.slice(caret);
    input.value = input.value.slice(0, state.start) + item.insert + after;
    const at = state.start + item.insert.length;
    input.setSelectionRange(at, at);
    input.focus();
    suggest();
  }

  // --- the input: Enter sends, ↑ recalls, Tab completes ------------------------------
  const input = $("line");

  async function send(line) {
    if (!line.trim()) return;
    input.value = "";
    closeSuggestions();
    state.recall = -1;
    notice("");
    try {
      await api("/api/send", { line, request: requestId() });
    } catch (err) {
      notice(err.message, true);
      if (!input.value) input.value = line;  // nothing typed is lost
    }
  }

  function recall(step) {
    if (!state.sent.length) return;
    if (state.recall === -1) { state.draft = input.value; state.recall = state.sent.length; }
    state.recall = Math.min(state.sent.length, Math.max(0, state.recall + step));
    input.value = state.recall === state.sent.length ? state.draft : state.sent[state.recall];
    if (state.recall === state.sent.length) state.recall = -1;
    const end = input.value.length;
    input.setSelectionRange(end, end);
  }

  input.addEventListener("keydown", (event) => {
    const open = state.items.length > 0;
    if (event.key === "Tab" && !event.shiftKey && input.value) {
      event.preventDefault();
      if (open) accept(Math.max(state.active, 0)); else suggest(true);
      if (state.items.length === 1) accept(0);
    } else if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      state.active = (state.active + 1) % state.items.length;
      drawSuggestions();
    } else if (event.key === "ArrowUp" && open && state.active >= 0) {
      event.preventDefault();
      state.active = state.active === 0 ? -1 : state.active - 1;
      drawSuggestions();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      closeSuggestions();
      recall(-1);
    } else if (event.key === "ArrowDown" && state.recall !== -1) {
      event.preventDefault();
      recall(1);
    } else if (event.key === "Enter" && open && state.active >= 0) {
      event.preventDefault();
      accept(state.active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      closeSuggestions();
    }
  });
  input.addEventListener("input", () => { state.recall = -1; suggest(); });
  input.addEventListener("blur", () => setTimeout(closeSuggestions, 150));
  $("composer").addEventListener("submit", (event) => { event.preventDefault(); send(input.value); });

  // --- views: sign-in, chat, cohort ---------------------------------------------------
  function signIn() {
    $("signin").hidden = false;
    $("token").focus();
    $("signin-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      $("signin-error").textContent = "";
      try {
        await api("/api/login", { token: $("token").value, name: $("name").value });
        location.reload();
      } catch (err) {
        $("signin-error").textContent = err.message;
      }
    });
  }

  function examples() {
    const box = $("examples");
    for (const line of ["/tokenize My name is Pawel", "/train-demo dataset=spiral layers=8,8",
                        "/attention The cat sat on the mat", "/next-token The cat sat on th",
                        "/learn", "/quiz", "/help"]) {
      const chip = el("button");
      chip.type = "button";
      chip.textContent = line;
      chip.addEventListener("click", () => send(line));
      box.append(chip);
    }
  }

  function chat() {
    $("chat").hidden = false;
    $("composer").hidden = false;
    examples();
    // the transcript came with the page; the stream's first event is the same unless
    // something changed in between (then it is drawn again)
    const boot = JSON.parse($("boot").textContent);
    let shown = null;
    if (boot) { hello(boot.entries); shown = JSON.stringify(boot.entries); }
    const events = new EventSource("/api/events");
    events.addEventListener("hello", (event) => {
      notice("");
      const entries = JSON.parse(event.data).entries;
      if (shown === null || JSON.stringify(entries) !== shown) hello(entries);
      shown = null;
    });
    events.addEventListener("entry", (event) => upsert(JSON.parse(event.data)));
    events.addEventListener("error", () => {
      if (events.readyState === EventSource.CLOSED) {
        notice("Lost the connection to tutorbot. Reload the page.", true);
      } else {
        notice("Reconnecting to tutorbot…");
      }
    });
    fetch("/api/catalog", { credentials: "same-origin" })
      .then((res) => res.json())
      .then((data) => { state.catalog = data; ready(); })
      .catch(() => notice("Completion is unavailable; commands still work.", true));
    input.focus();
  }

  async function cohort() {
    $("cohort").hidden = false;
    const body = $("cohort-body");
    if (!state.admin) {
      body.textContent = "The cohort view is for facilitators. Sign in with the facilitator token.";
      return;
    }
    const load = async () => {
      body.replaceChildren(progressBlock(null));
      try {
        const entry = await api("/api/cohort", { days: Number($("cohort-days").value) });
        body.replaceChildren(...render(entry, { withPress: false }).childNodes);
      } catch (err) {
        body.textContent = err.message;
      }
    };
    $("cohort-refresh").addEventListener("click", load);
    $("cohort-days").addEventListener("change", load);
    await load();
  }

  function start() {
    $("viewer").addEventListener("click", () => $("viewer").close());
    $("viewer-close").addEventListener("click", () => $("viewer").close());
    if (state.signed) {
      $("who").textContent = state.name + (state.admin ? " · facilitator" : "");
      $("nav-cohort").hidden = !state.admin;
      $("signout").hidden = state.mode !== "token";
      $("signout").addEventListener("click", async () => {
        try { await api("/api/logout", {}); } finally { location.reload(); }
      });
    }
    const view = location.pathname === "/cohort" ? "nav-cohort" : "nav-chat";
    $(view).setAttribute("aria-current", "page");
    $("nav-chat").hidden = !state.signed;
    if (!state.signed) signIn();
    else if (view === "nav-cohort") cohort();
    else chat();
  }

  start();
})();
