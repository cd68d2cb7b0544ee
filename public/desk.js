// The Paygent desk. Everything from the server is rendered with textContent or as DOM nodes built
// here (never innerHTML), so commands, reasons and names cannot inject markup. It talks only to its
// own origin (the page's Content-Security-Policy says so too).
(() => {
  const storageKey = "paygent.apiKey";
  const $ = (id) => document.getElementById(id);
  const svgNs = "http://www.w3.org/2000/svg";
  const state = {
    me: null,
    tokens: new Map(),
    view: "desk",
    focusToken: null,
    selectedRunId: null,
    stream: null,
    streamRunId: null,
    runEvents: [],
    subscriptions: null,
    timer: null,
    busy: false,
  };

  // ---- DOM helpers -------------------------------------------------------------------------
  /** el("p", {className, text, attrs, on}, ...children): children are nodes or plain text. */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    const p = props || {};
    if (p.className) node.className = p.className;
    if (p.text !== undefined && p.text !== null) node.textContent = String(p.text);
    for (const [name, value] of Object.entries(p.attrs || {})) {
      if (value !== undefined && value !== null && value !== false)
        node.setAttribute(name, String(value));
    }
    for (const [name, value] of Object.entries(p.data || {})) node.dataset[name] = String(value);
    for (const [type, handler] of Object.entries(p.on || {})) node.addEventListener(type, handler);
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(svgNs, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function button(label, className, onClick) {
    return el("button", {
      text: label,
      className,
      attrs: { type: "button" },
      on: { click: onClick },
    });
  }
  const safeClass = (value) => String(value).replace(/[^a-z_]/g, "");
  function chip(status) {
    return el("span", {
      text: String(status).replace(/_/g, " "),
      className: `chip s-${safeClass(status)}`,
    });
  }
  function showMessage(text) {
    $("message").textContent = text || "";
  }
  function fact(list, term, value) {
    if (value === undefined || value === null || value === "") return;
    list.append(el("dt", { text: term }), el("dd", {}, value));
  }

  // ---- Amounts: integers in base units, shown in human units --------------------------------
  function tokenInfo(symbol) {
    return state.tokens.get(String(symbol).toUpperCase()) || null;
  }
  /** Exact decimal of a base-unit integer ("50000000", 6) → "50"; never a float. */
  function exactDecimal(base, decimals) {
    let value = BigInt(base);
    const negative = value < 0n;
    if (negative) value = -value;
    const scale = 10n ** BigInt(decimals);
    const whole = value / scale;
    let fraction = decimals > 0 ? (value % scale).toString().padStart(decimals, "0") : "";
    fraction = fraction.replace(/0+$/, "");
    return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
  }
  const group = (whole) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  /** The server's display rule: whole amounts bare, else two decimals rounded down, tiny amounts significant. */
  function humanDecimal(base, decimals) {
    const exact = exactDecimal(base, decimals);
    const negative = exact.startsWith("-");
    const [whole, fraction = ""] = (negative ? exact.slice(1) : exact).split(".");
    let text;
    if (fraction === "") text = group(whole);
    else {
      const two = fraction.slice(0, 2);
      if (whole !== "0" || /[1-9]/.test(two)) text = `${group(whole)}.${two.padEnd(2, "0")}`;
      else {
        const first = fraction.search(/[1-9]/);
        text = `0.${fraction.slice(0, first + 4).replace(/0+$/, "")}`;
      }
    }
    return (negative ? "−" : "") + text;
  }
  /** "50000000" USDC → "50 USDC"; unknown tokens stay in base units, so nothing is misstated. */
  function amount(base, symbol) {
    const token = tokenInfo(symbol);
    if (!token) return `${base} base units of ${symbol}`;
    return `${humanDecimal(base, token.decimals)} ${token.symbol}`;
  }
  /** Every digit, grouped: edits show exactly what will move ("12.345678 USDC"). */
  function exactAmount(base, symbol) {
    const token = tokenInfo(symbol);
    if (!token) return `${base} base units of ${symbol}`;
    const [whole, fraction] = exactDecimal(base, token.decimals).split(".");
    return `${group(whole)}${fraction ? `.${fraction}` : ""} ${token.symbol}`;
  }
  /** "40.5" → 40500000n for 6 decimals; throws a readable message for anything else. */
  function parseHuman(text, decimals) {
    const cleaned = String(text)
      .trim()
      .replace(/[,\s_]/g, "");
    const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
    if (!match) throw new Error("Enter a number like 40 or 40.5");
    const fraction = match[2] || "";
    if (fraction.length > decimals) throw new Error(`At most ${decimals} decimals`);
    return (
      BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0")
    );
  }
  function usd(value) {
    if (value === null || value === undefined || value === "") return "";
    const [whole, fraction = ""] = String(value).split(".");
    return `$${group(whole)}.${fraction.padEnd(2, "0").slice(0, 2)}`;
  }
  function time(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return Number.isNaN(date.getTime())
      ? String(iso)
      : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function dateTime(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return Number.isNaN(date.getTime())
      ? String(iso)
      : date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }
  function duration(ms) {
    if (ms === null || ms === undefined || !Number.isFinite(ms)) return "";
    if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
    const s = ms / 1000;
    if (s < 60) return `${s.toFixed(1)} s`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
    const h = Math.floor(m / 60);
    return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
  }
  function timeLeft(iso) {
    const left = new Date(iso).getTime() - Date.now();
    if (!(left > 0)) return "expired";
    const minutes = Math.floor(left / 60000);
    if (minutes < 1) return "less than a minute left";
    if (minutes < 60) return `${minutes} min left`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${minutes % 60} min left`;
    return `${Math.floor(hours / 24)} days left`;
  }

  // ---- API ----------------------------------------------------------------------------------
  async function api(method, path, body) {
    const key = sessionStorage.getItem(storageKey);
    if (!key) throw new Error("Enter an API key first.");
    const response = await fetch(path, {
      method,
      headers: Object.assign(
        { authorization: `Bearer ${key}` },
        body === undefined ? {} : { "content-type": "application/json" },
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
    const payload = await response.json().catch(() => null);
    if (!response.ok) {
      const error = payload?.error;
      const failure = new Error(
        error && typeof error.message === "string" ? error.message : `HTTP ${response.status}`,
      );
      failure.status = response.status;
      throw failure;
    }
    return payload;
  }
  /** A GET that some deployments or roles do not have: null instead of an error. */
  async function optional(path) {
    try {
      return await api("GET", path);
    } catch (error) {
      if ([403, 404, 405].includes(error.status)) return null;
      throw error;
    }
  }

  // ---- Approvals ----------------------------------------------------------------------------
  function sentenceNode(parts, tag) {
    const node = el(tag || "p", { className: "sentence" });
    for (const part of parts || [])
      node.append(
        part.strong ? el("strong", { text: part.text }) : document.createTextNode(part.text),
      );
    return node;
  }
  function ruleText(approval) {
    const parts = [approval.reason];
    if (approval.required > 1) parts.push(`${approval.granted} of ${approval.required} approvals`);
    if (approval.rule) parts.push(`rule: ${approval.rule}`);
    return parts.filter(Boolean).join("; ");
  }
  function keyLabel(vote) {
    return vote.name ? `${vote.name} (${vote.keyId})` : vote.keyId;
  }
  /** "alice (key_…) approved at 10:02; bob (key_…) rejected at 10:05". */
  function deciderText(approval) {
    return (approval.votes || [])
      .map(
        (v) =>
          `${keyLabel(v)} ${v.decision === "approve" ? "approved" : v.decision === "reject" ? "rejected" : "edited"}${v.at ? ` at ${time(v.at)}` : ""}`,
      )
      .join("; ");
  }
  function changeLines(changes) {
    return (changes || []).map(
      (c) => `${c.field}: ${exactAmount(c.from, c.token)} → ${exactAmount(c.to, c.token)}`,
    );
  }

  function approvalCard(approval, focused) {
    const pending = approval.status === "pending";
    const canDecide = pending && approval.canDecide === true;
    const card = el("article", {
      className: `card approval${focused ? " focused" : ""}`,
      data: { token: approval.token, runId: approval.runId, status: approval.status },
      attrs: { "aria-label": approval.summary || "approval", tabindex: focused ? "-1" : undefined },
    });
    card.append(sentenceNode(approval.sentence));
    const facts = el("dl", { className: "facts" });
    fact(facts, "Value", approval.amountUsd ? `${usd(approval.amountUsd)} (USD)` : "no USD price");
    fact(facts, "Why held", ruleText(approval));
    fact(facts, "Command", el("span", { className: "command", text: approval.command }));
    // Votes so far on a quorum that is still open, and an earlier approver's edit: the sentence
    // above is what an approval now approves.
    if (pending) fact(facts, "Votes", deciderText(approval));
    if (pending) fact(facts, "Changed from the request", changeLines(approval.changes).join("; "));
    if (pending)
      fact(
        facts,
        "Time left",
        el("span", {
          className: "time-left",
          data: { expires: approval.expiresAt },
          text: timeLeft(approval.expiresAt),
        }),
      );
    else {
      fact(
        facts,
        "Decision",
        el(
          "span",
          {},
          chip(approval.status),
          approval.decidedAt ? ` at ${dateTime(approval.decidedAt)}` : "",
        ),
      );
      fact(
        facts,
        "Decided by",
        deciderText(approval) || (approval.status === "expired" ? "nobody (expired)" : ""),
      );
      fact(facts, "Changed", changeLines(approval.changes).join("; "));
      fact(facts, "Comment", approval.comment);
    }
    // Approvers decide from the card: the run itself belongs to the agent's key.
    const role = state.me?.key.role;
    fact(
      facts,
      "Run",
      role === "approver"
        ? el("code", { text: approval.runId })
        : el("a", {
            text: approval.runId,
            attrs: { href: `#run=${approval.runId}` },
            className: "mono",
          }),
    );
    card.append(facts);
    if (canDecide) {
      const actions = el("div", { className: "actions" });
      const approve = button("Approve", "primary approve", () =>
        decide(approval, { decision: "approve" }, card),
      );
      const reject = button("Reject", "danger reject", () =>
        decide(approval, { decision: "reject" }, card),
      );
      actions.append(approve, reject);
      if (approval.editable?.length) {
        const edit = button("Edit amounts", "edit-toggle", () => {
          const form = card.querySelector("form.edit");
          form.hidden = !form.hidden;
          edit.setAttribute("aria-expanded", String(!form.hidden));
          if (!form.hidden) form.querySelector("input").focus();
        });
        edit.setAttribute("aria-expanded", "false");
        actions.append(edit);
      }
      card.append(actions);
      if (approval.editable?.length) card.append(editForm(approval, card));
    }
    card.append(el("p", { className: "error card-error", attrs: { role: "status" } }));
    return card;
  }

  function editForm(approval, card) {
    const form = el("form", { className: "edit", attrs: { novalidate: true } });
    form.hidden = true;
    const change = el("p", { className: "edit-change", attrs: { "aria-live": "polite" } });
    const inputs = approval.editable.map((field) => {
      const id = `edit-${approval.token}-${field.field}`;
      const input = el("input", {
        attrs: { id, inputmode: "decimal", autocomplete: "off", "aria-describedby": `${id}-unit` },
        data: { field: field.field },
      });
      input.value = exactDecimal(field.value, field.decimals);
      form.append(
        el(
          "label",
          { attrs: { for: id } },
          field.label,
          input,
          el("span", { text: field.token, attrs: { id: `${id}-unit` } }),
        ),
      );
      input.addEventListener("input", () => describeEdit());
      return { field, input };
    });
    const submit = el("button", {
      text: "Approve with these amounts",
      className: "primary submit-edit",
      attrs: { type: "submit" },
    });
    const cancel = button("Cancel", "", () => {
      form.hidden = true;
    });
    form.append(change, el("div", { className: "actions" }, submit, cancel));

    /** Every changed field as {amount, token}; shows what the edit changes, or why it cannot be sent. */
    function describeEdit() {
      const args = {};
      const lines = [];
      try {
        for (const { field, input } of inputs) {
          const next = parseHuman(input.value, field.decimals);
          const before = BigInt(field.value);
          if (next === before) continue;
          // The API's one amount form: whole tokens and the symbol, never base units.
          args[field.field] = { amount: exactDecimal(next, field.decimals), token: field.token };
          const delta = next - before;
          lines.push(
            `${field.label}: ${exactAmount(field.value, field.token)} → ${exactAmount(next, field.token)} (${delta > 0n ? "+" : "−"}${exactAmount(delta > 0n ? delta : -delta, field.token)}; ${next} base units)`,
          );
        }
        change.className = "edit-change";
        change.textContent = lines.length ? lines.join(" · ") : "Nothing changed yet.";
        submit.disabled = lines.length === 0;
        return lines.length ? args : null;
      } catch (error) {
        change.className = "edit-change invalid";
        change.textContent = error.message;
        submit.disabled = true;
        return null;
      }
    }
    describeEdit();
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const args = describeEdit();
      if (args) void decide(approval, { decision: "edit", args }, card);
    });
    return form;
  }

  async function decide(approval, body, card) {
    const buttons = card.querySelectorAll("button");
    for (const b of buttons) b.disabled = true;
    const errorNode = card.querySelector(".card-error");
    errorNode.textContent = "";
    try {
      await api("POST", `/api/approvals/${encodeURIComponent(approval.token)}`, body);
      card.dataset.status =
        body.decision === "approve"
          ? "approved"
          : body.decision === "reject"
            ? "rejected"
            : "edited";
      await refresh();
    } catch (error) {
      errorNode.textContent = error.message;
      for (const b of buttons) b.disabled = false;
    }
  }

  async function loadDesk() {
    const [pending, decided] = await Promise.all([
      api("GET", "/api/desk/approvals?status=pending&limit=50"),
      api("GET", "/api/desk/approvals?status=decided&limit=20"),
    ]);
    let focused = null;
    if (state.focusToken) {
      const found = await api(
        "GET",
        `/api/desk/approvals?status=all&token=${encodeURIComponent(state.focusToken)}`,
      );
      focused = found.approvals[0] || null;
      const holder = $("approval-focus");
      holder.replaceChildren();
      if (focused) {
        holder.append(
          el("p", { className: "muted", text: "Opened from a link:" }),
          approvalCard(focused, true),
        );
      } else
        holder.append(
          el("p", {
            className: "error",
            text: `Approval ${state.focusToken} is not visible to this key.`,
          }),
        );
    } else $("approval-focus").replaceChildren();
    const list = pending.approvals.filter((a) => !focused || a.token !== focused.token);
    const container = $("approvals");
    // Keep a card whose edit form is open (and what was typed in it) across refreshes.
    const open = new Map();
    for (const card of container.querySelectorAll("article.approval")) {
      const form = card.querySelector("form.edit");
      if (form && !form.hidden) open.set(card.dataset.token, card);
    }
    container.replaceChildren(...list.map((a) => open.get(a.token) || approvalCard(a, false)));
    $("no-approvals").hidden = pending.approvals.length > 0;
    $("pending-count").textContent = pending.approvals.length
      ? String(pending.approvals.length)
      : "";
    const decidedList = $("decided");
    decidedList.replaceChildren(
      ...decided.approvals.map((a) =>
        el(
          "li",
          { className: "decided", data: { token: a.token, status: a.status } },
          sentenceNode(a.sentence, "p"),
          el(
            "p",
            { className: "muted" },
            chip(a.status),
            a.decidedAt ? ` ${dateTime(a.decidedAt)}` : "",
            deciderText(a) ? ` — ${deciderText(a)}` : "",
            a.changes?.length ? ` — ${changeLines(a.changes).join("; ")}` : "",
          ),
        ),
      ),
    );
    $("no-decided").hidden = decided.approvals.length > 0;
    if (focused && state.focusPending) {
      state.focusPending = false;
      const card = $("approval-focus").querySelector("article");
      if (card) card.focus();
    }
  }

  // ---- Runs ---------------------------------------------------------------------------------
  async function loadRuns() {
    const page = await api("GET", "/api/runs?limit=30");
    const list = $("runs");
    list.replaceChildren(
      ...page.runs.map((run) => {
        const item = el("li", {
          className: `run${run.id === state.selectedRunId ? " selected" : ""}`,
          data: { runId: run.id, status: run.status },
        });
        const open = el(
          "button",
          {
            attrs: {
              type: "button",
              "aria-current": run.id === state.selectedRunId ? "true" : undefined,
            },
            on: { click: () => selectRun(run.id) },
          },
          el(
            "span",
            { className: "line" },
            chip(run.status),
            el("span", {
              className: "when",
              text: `${dateTime(run.timings.createdAt)}${run.cost?.usd ? ` · ${usd(run.cost.usd)}` : ""}`,
            }),
          ),
          el("span", { className: "command", text: run.command }),
        );
        item.append(open);
        return item;
      }),
    );
    $("no-runs").hidden = page.runs.length > 0;
    if (!state.selectedRunId && page.runs.length && state.view === "runs")
      selectRun(page.runs[0].id, { quiet: true });
  }

  function selectRun(runId, options) {
    if (!options?.quiet) {
      history.replaceState(null, "", `#run=${runId}`);
    }
    state.selectedRunId = runId;
    for (const li of $("runs").querySelectorAll("li.run")) {
      const on = li.dataset.runId === runId;
      li.classList.toggle("selected", on);
      const b = li.querySelector("button");
      if (on) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
    openStream(runId);
    void loadRunDetail().catch((error) => showMessage(error.message));
  }

  /** The run's SSE stream, read with fetch (EventSource cannot send the Authorization header). */
  function openStream(runId) {
    if (state.streamRunId === runId && state.stream) return;
    if (state.stream) state.stream.abort();
    state.streamRunId = runId;
    state.runEvents = [];
    const controller = new AbortController();
    state.stream = controller;
    let lastId = null;
    let reloadTimer = null;
    const scheduleReload = () => {
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => {
        if (state.selectedRunId === runId) void loadRunDetail().catch(() => {});
        void loadLists().catch(() => {});
      }, 120);
    };
    const connect = async () => {
      const key = sessionStorage.getItem(storageKey);
      const headers = { authorization: `Bearer ${key}`, accept: "text/event-stream" };
      if (lastId) headers["last-event-id"] = lastId;
      const response = await fetch(`/api/runs/${encodeURIComponent(runId)}/events`, {
        headers,
        signal: controller.signal,
        cache: "no-store",
      });
      // 204: the run already ended before this (re)connection; nothing more will come.
      if (response.status === 204) return true;
      if (!response.ok || !response.body) throw new Error(`events: HTTP ${response.status}`);
      $("live").textContent = "● live";
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let ended = false;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        for (let cut = buffer.indexOf("\n\n"); cut >= 0; cut = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = { type: "message", data: "", id: null };
          for (const line of block.split("\n")) {
            if (line.startsWith("event: ")) event.type = line.slice(7);
            else if (line.startsWith("data: ")) event.data += line.slice(6);
            else if (line.startsWith("id: ")) event.id = line.slice(4);
          }
          if (!event.data) continue;
          if (event.id) lastId = event.id;
          let data = {};
          try {
            data = JSON.parse(event.data);
          } catch {}
          state.runEvents.push({ type: event.type, data, at: data.at });
          if (/^run\.(completed|failed|cancelled)$/.test(event.type)) ended = true;
          scheduleReload();
        }
      }
      return ended;
    };
    void (async () => {
      for (let attempt = 0; attempt < 50 && !controller.signal.aborted; attempt++) {
        try {
          if (await connect()) break;
        } catch (_error) {
          if (controller.signal.aborted) return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      if (state.stream === controller) $("live").textContent = "";
    })();
  }

  async function loadRunDetail() {
    const runId = state.selectedRunId;
    if (!runId) return;
    const run = await api("GET", `/api/runs/${encodeURIComponent(runId)}`);
    if (state.selectedRunId !== runId) return;
    let subscription = null;
    if (run.kind === "subscription") {
      if (!state.subscriptions) state.subscriptions = await optional("/api/subscriptions");
      const all =
        (state.subscriptions && (state.subscriptions.subscriptions || state.subscriptions.items)) ||
        [];
      subscription = all.find((s) => s.runId === runId) || null;
    }
    renderRunDetail(run, subscription);
  }

  function renderRunDetail(run, subscription) {
    const detail = $("run-detail");
    detail.hidden = false;
    detail.dataset.runId = run.id;
    detail.dataset.status = run.status;
    $("detail-id").textContent = run.id;
    $("detail-command").textContent = run.command;
    $("detail-status").replaceChildren(chip(run.status));
    const meta = [run.kind, `started ${dateTime(run.timings.createdAt)}`];
    if (run.timings.durationMs !== null) meta.push(`took ${duration(run.timings.durationMs)}`);
    $("detail-meta").textContent = meta.join(" · ");
    const error = run.error && typeof run.error === "object" ? run.error : null;
    $("detail-error").textContent = error
      ? `${error.code ? `${error.code}: ` : ""}${error.message || ""}`
      : "";

    const approvals = $("detail-approvals");
    approvals.replaceChildren();
    for (const pending of run.pendingApprovals || []) {
      approvals.append(
        el(
          "p",
          { className: "waiting" },
          "Waiting for approval: ",
          el("a", { text: "open it on the desk", attrs: { href: `#approval=${pending.token}` } }),
          ` (${timeLeft(pending.expiresAt)})`,
        ),
      );
    }

    renderTimeline(run, subscription);

    const explorer = state.me?.network.explorerTxUrl;
    const txs = $("detail-txs");
    txs.replaceChildren();
    for (const step of run.steps) {
      for (const hash of step.txHashes || []) {
        const label = el("code", { text: hash });
        txs.append(
          el(
            "li",
            { className: "tx" },
            `${step.action} · `,
            explorer && /^0x[0-9a-fA-F]{64}$/.test(hash)
              ? el(
                  "a",
                  {
                    attrs: {
                      href: `${explorer}${hash}`,
                      target: "_blank",
                      rel: "noopener noreferrer",
                    },
                  },
                  label,
                )
              : label,
          ),
        );
      }
    }
    if (!txs.children.length)
      txs.append(el("li", { className: "muted", text: "No transactions." }));
    if (!explorer && txs.querySelector("code"))
      txs.append(
        el("li", { className: "muted", text: "Devnet transactions have no public explorer." }),
      );

    const cost = run.cost && typeof run.cost === "object" ? run.cost : null;
    const body = $("detail-cost").tBodies[0];
    body.replaceChildren();
    if (cost) {
      for (const [unit, total] of Object.entries(cost.totals || {})) {
        const items = (cost.items || []).filter(
          (i) => (i.kind === "model" ? "model_tokens" : i.unit) === unit,
        );
        const shown = unit === "model_tokens" ? `${total} model tokens` : amount(total, unit);
        const detail = items
          .map(
            (i) =>
              `${i.kind}${i.detail ? ` (${i.detail})` : ""}: ${i.kind === "model" ? `${i.amount} tokens` : amount(i.amount, i.unit)}${i.usd ? ` ≈ ${usd(i.usd)}` : ""}`,
          )
          .join("; ");
        body.append(
          el(
            "tr",
            { data: { unit } },
            el("td", { text: unit === "model_tokens" ? "model" : unit }),
            el("td", { text: shown }),
            el("td", { text: detail }),
          ),
        );
      }
    }
    if (!body.children.length)
      body.append(el("tr", {}, el("td", { text: "—", attrs: { colspan: 3 } })));
    $("detail-cost-usd").textContent = cost?.usd
      ? `USD total ${usd(cost.usd)}${cost.usdIncomplete ? " (some items have no USD price)" : ""}`
      : "";

    const cancel = $("cancel-run");
    const active = ["running", "waiting_approval", "waiting_event"].includes(run.status);
    cancel.hidden = !(active && state.me && state.me.key.role === "admin");
  }

  /** Steps by name with duration bars; waits as waits ("waiting for approval since 10:02"). */
  function renderTimeline(run, subscription) {
    const events = state.streamRunId === run.id ? state.runEvents : [];
    const at = (e) => new Date(e.at || 0).getTime();
    const start = new Date(run.timings.createdAt).getTime();
    const now = Date.now();
    const end = run.timings.finishedAt ? new Date(run.timings.finishedAt).getTime() : now;
    const rows = [];
    const planned = events.find((e) => e.type === "run.planned");
    if (run.kind !== "subscription") {
      rows.push({
        name: "parse + plan",
        from: start,
        to: planned ? at(planned) : run.status === "running" ? now : end,
        kind: planned ? "done" : run.status === "running" ? "wait" : "done",
      });
    }
    for (const step of run.steps) {
      const required = events.find(
        (e) => e.type === "approval.required" && e.data.index === step.index,
      );
      const decided = events.find(
        (e) => e.type === "approval.decided" && e.data.index === step.index,
      );
      if (required) {
        const waitEnd = decided
          ? at(decided)
          : step.status === "waiting_approval"
            ? now
            : at(required);
        rows.push({
          name: `approval for ${step.action}`,
          from: at(required),
          to: waitEnd,
          kind: "wait",
          note: decided
            ? `waited for approval ${duration(waitEnd - at(required))}, then ${decided.data.decision}`
            : `waiting for approval since ${time(required.at)}`,
        });
      } else if (step.status === "waiting_approval") {
        rows.push({
          name: `approval for ${step.action}`,
          from: now,
          to: now,
          kind: "wait",
          note: "waiting for approval",
        });
      }
      const chainWait = events.find(
        (e) => e.type === "waiting.event" && e.data.index === step.index,
      );
      const from = step.startedAt ? new Date(step.startedAt).getTime() : null;
      const to = step.finishedAt
        ? new Date(step.finishedAt).getTime()
        : step.status === "running" || step.status === "waiting_event"
          ? now
          : from;
      if (from !== null) {
        rows.push({
          name: step.action,
          from,
          to,
          kind: step.status === "failed" ? "failed" : "done",
          note: [
            step.status !== "completed" ? step.status.replace(/_/g, " ") : "",
            step.attempts > 1 ? `${step.attempts} attempts` : "",
            step.error || "",
          ]
            .filter(Boolean)
            .join(" · "),
        });
      } else if (!required) {
        rows.push({
          name: step.action,
          from: now,
          to: now,
          kind: "done",
          note: step.status.replace(/_/g, " "),
        });
      }
      if (chainWait && step.status === "waiting_event")
        rows.push({
          name: "chain",
          from: at(chainWait),
          to: now,
          kind: "wait",
          note: `waiting for the chain since ${time(chainWait.at)}`,
        });
    }
    if (run.kind === "subscription") {
      const renewals = events.filter(
        (e) => e.type === "step.finished" && e.data.action === "renew",
      );
      for (const renewal of renewals)
        rows.push({
          name: `renewal ${renewal.data.renewals}`,
          from: at(renewal),
          to: at(renewal),
          kind: "done",
          note: `paid until ${dateTime(renewal.data.paidUntil)}`,
        });
      const until = renewals.length
        ? renewals[renewals.length - 1].data.paidUntil
        : subscription?.currentPeriodEnd;
      if (!run.timings.finishedAt && until) {
        rows.push({
          name: "sleep",
          from: now,
          to: now,
          kind: "wait",
          note: `sleeping until ${new Date(until).toISOString().slice(0, 10)}`,
        });
      }
    }
    const span = Math.max(1, Math.max(end, ...rows.map((r) => r.to)) - start);
    const list = $("timeline");
    list.replaceChildren(
      ...rows.map((row) => {
        const fill = el("span", { className: "fill" });
        fill.style.left = `${Math.min(100, ((row.from - start) / span) * 100)}%`;
        fill.style.width = `${Math.max(0.5, ((row.to - row.from) / span) * 100)}%`;
        const length = row.to - row.from;
        return el(
          "li",
          { className: row.kind, data: { name: row.name } },
          el(
            "span",
            { className: "name" },
            row.name,
            length > 0 ? el("span", { className: "muted", text: ` ${duration(length)}` }) : null,
          ),
          el(
            "span",
            {
              className: "track",
              attrs: { role: "img", "aria-label": `${row.name}: ${duration(length) || "instant"}` },
            },
            fill,
          ),
          row.note ? el("span", { className: "note", text: row.note }) : null,
        );
      }),
    );
  }

  // ---- Spend --------------------------------------------------------------------------------
  function meter(label, spent, reserved, limit, unit) {
    const node = el("div", { className: "meter" });
    const limitBig = limit === null || limit === undefined ? null : BigInt(limit);
    const spentBig = BigInt(spent || "0");
    const reservedBig = BigInt(reserved || "0");
    const fmt = (v) => (unit === "USD" ? usd(exactDecimal(v, 6)) : amount(v, unit));
    const text =
      limitBig !== null
        ? `${fmt(spentBig)} spent${reservedBig ? ` + ${fmt(reservedBig)} reserved` : ""} of ${fmt(limitBig)}`
        : `${fmt(spentBig)} spent${reservedBig ? ` + ${fmt(reservedBig)} reserved` : ""} (no limit)`;
    node.append(
      el("div", { className: "label" }, el("span", { text: label }), el("span", { text })),
    );
    // Without a limit there is nothing to fill: a full bar would read as "limit reached".
    if (limitBig === null) return node;
    const track = el("div", {
      className: "track",
      attrs: {
        role: "meter",
        "aria-label": `${label}: ${text}`,
        "aria-valuemin": 0,
        "aria-valuemax": 100,
        "aria-valuenow": limitBig ? Number((spentBig * 100n) / (limitBig || 1n)) : 0,
      },
    });
    const whole = limitBig && limitBig > 0n ? limitBig : spentBig + reservedBig || 1n;
    const spentBar = el("span", { className: "spent" });
    spentBar.style.width = `${Math.min(100, Number((spentBig * 10000n) / whole) / 100)}%`;
    const reservedBar = el("span", { className: "reserved" });
    reservedBar.style.width = `${Math.min(100, Number((reservedBig * 10000n) / whole) / 100)}%`;
    track.append(spentBar, reservedBar);
    if (limitBig !== null && spentBig + reservedBig > limitBig) node.classList.add("over");
    node.append(track);
    return node;
  }

  function chart(daily) {
    const holder = $("spend-chart");
    holder.replaceChildren();
    if (!daily.series.length) {
      holder.append(
        el("p", {
          className: "muted",
          text: `No settled payments between ${daily.from} and ${daily.to}.`,
        }),
      );
      return;
    }
    for (const series of daily.series) {
      const symbol = series.token ? series.token.symbol : series.asset;
      const show = (v) =>
        series.token ? amount(v, series.token.symbol) : `${v} base units of ${series.asset}`;
      const values = series.amounts.map((v) => BigInt(v));
      // BigInt: Math.max would throw on these.
      let max = 1n;
      for (const value of values) if (value > max) max = value;
      const width = Math.max(300, Math.round(holder.clientWidth || 600));
      const height = 180;
      const left = 4;
      const bottom = 18;
      const slot = (width - left) / values.length;
      const figure = el("figure", {
        className: "chart",
        data: { asset: series.asset, symbol, total: series.total },
      });
      const graphic = svg("svg", {
        viewBox: `0 0 ${width} ${height}`,
        role: "img",
        "aria-label": `${symbol} paid per day, ${daily.from} to ${daily.to}: total ${show(series.total)}`,
      });
      graphic.append(
        svg("line", {
          class: "axis",
          x1: left,
          x2: width,
          y1: height - bottom,
          y2: height - bottom,
        }),
      );
      values.forEach((value, i) => {
        const h = (Number((value * 1000n) / max) / 1000) * (height - bottom - 8);
        const bar = svg("rect", {
          class: "bar",
          x: (left + i * slot + 1).toFixed(1),
          y: (height - bottom - h).toFixed(1),
          width: Math.max(1, slot - 2).toFixed(1),
          height: h.toFixed(1),
          "data-day": daily.days[i],
          "data-amount": value.toString(),
        });
        bar.append(svg("title", {}, `${daily.days[i]}: ${show(value)}`));
        graphic.append(bar);
      });
      graphic.append(svg("text", { x: left, y: height - 4 }, daily.days[0].slice(5)));
      graphic.append(
        svg(
          "text",
          { x: width, y: height - 4, "text-anchor": "end" },
          daily.days[daily.days.length - 1].slice(5),
        ),
      );
      graphic.append(svg("text", { x: left, y: 10 }, `max ${show(max)}`));
      figure.append(
        graphic,
        el(
          "figcaption",
          {},
          `${symbol}: total `,
          el("strong", { className: "chart-total", text: show(series.total) }),
          ` over ${daily.days.length} days`,
        ),
      );
      holder.append(figure);
    }
  }

  async function loadSpend() {
    const spend = await api("GET", "/api/desk/spend?days=30");
    chart(spend.daily);
    const shown = spend.sessions.filter(
      (s) => s.budgetStatus.budget || s.budgetStatus.daily || s.budgetStatus.tokens.length,
    );
    const quiet = spend.sessions.length - shown.length;
    $("sessions").replaceChildren(
      ...shown.map((s) => {
        const b = s.budgetStatus;
        const item = el(
          "li",
          { data: { sessionId: s.id } },
          el(
            "p",
            {},
            el("code", { text: s.id }),
            el("span", { className: "muted", text: ` since ${dateTime(s.createdAt)}` }),
          ),
        );
        if (b.budget)
          item.append(
            meter(
              "Budget",
              b.budget.spent,
              b.budget.reserved,
              b.budget.budget,
              b.budget.token === "USD" ? "USD" : b.budget.token,
            ),
          );
        if (b.daily)
          item.append(
            meter(
              `Today (resets ${time(b.daily.resetsAt)})`,
              b.daily.spent,
              b.daily.reserved,
              b.daily.limit,
              b.daily.token.toUpperCase() === "USD" ? "USD" : b.daily.token,
            ),
          );
        for (const line of b.tokens) {
          if (b.budget && line.token === b.budget.token) continue;
          item.append(
            meter(
              line.token.toUpperCase(),
              line.spent,
              line.reserved,
              line.budget,
              line.token.toUpperCase() === "USD" ? "USD" : line.token,
            ),
          );
        }
        if (!b.budget && !b.daily && !b.tokens.length)
          item.append(el("p", { className: "muted", text: "No limits and nothing spent." }));
        return item;
      }),
    );
    if (quiet) {
      $("sessions").append(
        el("li", {
          className: "muted",
          text: `${quiet} more active session${quiet === 1 ? "" : "s"}: no limits, nothing spent.`,
        }),
      );
    }
    if (!spend.sessions.length)
      $("sessions").append(el("li", { className: "muted", text: "No active sessions." }));
    const byKey = new Map();
    for (const row of spend.keys) {
      const id = row.keyId || "none";
      if (!byKey.has(id)) byKey.set(id, { name: row.name, rows: [] });
      byKey.get(id).rows.push(row);
    }
    $("key-spend").replaceChildren(
      ...[...byKey].map(([id, entry]) => {
        const item = el(
          "li",
          { data: { keyId: id } },
          el(
            "p",
            {},
            el("strong", { text: entry.name || "unnamed key" }),
            " ",
            el("code", { text: id }),
          ),
        );
        for (const row of entry.rows) {
          const unit = row.token.toUpperCase() === "USD" ? "USD" : row.token;
          item.append(
            meter(`${row.token.toUpperCase()} today`, row.today, "0", null, unit),
            meter(`${row.token.toUpperCase()} all time`, row.spent, "0", null, unit),
          );
        }
        return item;
      }),
    );
    if (!byKey.size)
      $("key-spend").append(el("li", { className: "muted", text: "Nothing settled yet." }));
    const body = $("by-service").tBodies[0];
    body.replaceChildren(
      ...spend.byService.map((s) =>
        el(
          "tr",
          { data: { serviceId: s.serviceId || "" } },
          el("td", { text: s.name }),
          el("td", { text: s.token ? amount(s.amount, s.token.symbol) : `${s.amount} base units` }),
          el("td", { text: String(s.count) }),
        ),
      ),
    );
    if (!spend.byService.length)
      body.append(
        el("tr", {}, el("td", { text: "No payments in the last 30 days.", attrs: { colspan: 3 } })),
      );
  }

  // ---- Admin --------------------------------------------------------------------------------
  function plainRecord(record, fields) {
    const facts = el("dl", { className: "facts" });
    for (const name of fields) {
      const value = record[name];
      if (value === undefined || value === null || typeof value === "object") continue;
      fact(facts, name, String(value));
    }
    return facts;
  }
  async function loadAdmin() {
    const [keys, policies, deliveries, me] = await Promise.all([
      optional("/api/keys"),
      optional("/api/policies"),
      optional("/api/notifications/deliveries?limit=20"),
      api("GET", "/api/desk/me"),
    ]);
    state.me = me;
    const keyRows = keys?.keys || [];
    // Keep a row whose freeze question is open (and the reason typed in it) across refreshes.
    const open = new Map();
    for (const row of $("keys").querySelectorAll("li[data-key-id]")) {
      const confirm = row.querySelector(".confirm");
      if (confirm && !confirm.hidden) open.set(row.dataset.keyId, row);
    }
    $("keys").replaceChildren(...keyRows.map((k) => open.get(k.id) || keyRow(k)));
    const policyRows = policies ? policies.policies || [] : null;
    $("policies").replaceChildren(
      ...(policyRows === null
        ? [el("li", { className: "muted", text: "Policies are not available to this key." })]
        : policyRows.length === 0
          ? [
              el("li", {
                className: "muted",
                text: "No policies: every key runs on the default policy.",
              }),
            ]
          : policyRows.map((p) =>
              el(
                "li",
                { data: { policyId: p.id } },
                el("strong", { text: p.name }),
                el("span", { className: "muted", text: ` v${p.version} ` }),
                el("code", { text: p.id }),
                el("pre", { className: "mono policy", text: JSON.stringify(p.document, null, 2) }),
              ),
            )),
    );
    const deliveryRows = deliveries ? deliveries.deliveries || [] : null;
    $("deliveries").replaceChildren(
      ...(deliveryRows === null
        ? [el("li", { className: "muted", text: "Deliveries are not available to this key." })]
        : deliveryRows.length === 0
          ? [el("li", { className: "muted", text: "No notification deliveries yet." })]
          : deliveryRows.map((d) =>
              el(
                "li",
                {},
                el("strong", { text: d.eventType || d.event || "" }),
                " ",
                chip(d.status || ""),
                el("span", {
                  className: "muted",
                  text: ` ${d.url || d.endpointId || ""} · ${(d.attempts || []).length} attempt(s)`,
                }),
              ),
            )),
    );
    renderFreeze(me.walletFreeze);
  }
  /**
   * One key of the admin's list: name, role, id, its freeze (since when, and why) and its own
   * freeze switch, which asks first, like the wallet's. Never the key itself: the API has no way to
   * show it again.
   */
  function keyRow(k) {
    const frozen = Boolean(k.frozenAt);
    const nameId = `key-name-${k.id}`;
    const row = el(
      "li",
      { data: { keyId: k.id, frozen: String(frozen) } },
      el(
        "p",
        {},
        el("strong", { text: k.name, attrs: { id: nameId } }),
        " ",
        el("span", { className: "role", text: k.role || k.scope }),
        " ",
        el("code", { text: k.id }),
        k.id === state.me?.key.id ? el("span", { className: "muted", text: " (this key)" }) : null,
        k.revokedAt ? el("span", { className: "muted", text: " revoked" }) : null,
      ),
    );
    row.append(
      el(
        "p",
        { className: "key-freeze-state" },
        frozen ? el("span", { className: "chip s-failed", text: "frozen" }) : null,
        frozen
          ? ` since ${dateTime(k.frozenAt)}${k.frozenReason ? `: ${k.frozenReason}` : " (no reason given)"}. Its commands answer 423; nothing moves on its behalf.`
          : "Not frozen.",
      ),
    );
    // A revoked key cannot sign in: freezing it would change nothing.
    if (k.revokedAt) return row;
    const toggleId = `key-freeze-${k.id}`;
    const toggle = el("button", {
      text: frozen ? "Unfreeze key…" : "Freeze key…",
      className: `key-freeze-toggle${frozen ? "" : " danger"}`,
      attrs: { type: "button", id: toggleId, "aria-labelledby": `${toggleId} ${nameId}` },
    });
    const questionId = `key-freeze-question-${k.id}`;
    const reasonId = `key-freeze-reason-${k.id}`;
    const question = el("p", { attrs: { id: questionId } });
    const reason = el("input", { attrs: { id: reasonId, type: "text", maxlength: 200 } });
    const reasonLabel = el("label", { text: "Reason", attrs: { for: reasonId } });
    const yes = el("button", {
      text: frozen ? "Yes, unfreeze it" : "Yes, freeze it",
      className: frozen ? "key-freeze-yes" : "danger key-freeze-yes",
      attrs: { type: "button" },
    });
    const no = button("Keep as is", "key-freeze-no", () => {
      confirm.hidden = true;
      toggle.focus();
    });
    const error = el("p", { className: "error", attrs: { role: "status" } });
    const confirm = el(
      "div",
      { className: "confirm", attrs: { role: "group", "aria-labelledby": questionId } },
      question,
      // Unfreezing takes no reason (the API refuses one).
      frozen ? null : reasonLabel,
      frozen ? null : reason,
      yes,
      no,
      error,
    );
    confirm.hidden = true;
    const self = k.id === state.me?.key.id ? " This is the key you are using." : "";
    question.textContent = frozen
      ? `Unfreeze ${k.name}? Its commands may move money again.${state.me?.walletFreeze ? " The wallet freeze still stops every key." : ""}`
      : `Freeze ${k.name}? Its new commands answer 423 and its runs stop at their next step until it is unfrozen. Other keys are not affected.${self}`;
    toggle.addEventListener("click", () => {
      confirm.hidden = false;
      error.textContent = "";
      no.focus();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      try {
        const path = `/api/keys/${encodeURIComponent(k.id)}/${frozen ? "unfreeze" : "freeze"}`;
        const why = reason.value.trim();
        await api("POST", path, frozen || !why ? {} : { reason: why });
        confirm.hidden = true;
        await loadAdmin();
        $(toggleId)?.focus();
      } catch (failure) {
        error.textContent = failure.message;
        yes.disabled = false;
      }
    });
    row.append(el("div", { className: "actions" }, toggle), confirm);
    return row;
  }
  /** The wallet freeze switch: a confirmation names what it does before anything is sent. */
  function renderFreeze(freeze) {
    const toggle = $("freeze-toggle");
    const frozen = freeze !== null && freeze !== undefined;
    $("freeze-state").textContent = frozen
      ? `The agent wallet is frozen${freeze.reason ? `: ${freeze.reason}` : ""} (since ${dateTime(freeze.frozenAt)}). No money moves.`
      : "Not frozen: agents may spend within their policies.";
    toggle.hidden = false;
    toggle.textContent = frozen ? "Lift the freeze…" : "Freeze all spending…";
    toggle.onclick = () => {
      $("freeze-confirm").hidden = false;
      $("freeze-question").textContent = frozen
        ? "Lift the freeze? Agents will be able to spend again."
        : "Freeze the agent wallet? Every payment, transfer and swap stops at its next step until the freeze is lifted.";
      $("freeze-yes").textContent = frozen ? "Yes, lift it" : "Yes, freeze";
      $("freeze-yes").onclick = async () => {
        try {
          const reason = $("freeze-reason").value.trim();
          // Lifting takes no reason (the API refuses one).
          if (frozen) await api("POST", "/api/wallet/unfreeze", {});
          else await api("POST", "/api/wallet/freeze", reason ? { reason } : {});
          $("freeze-reason").value = "";
          $("freeze-confirm").hidden = true;
          await loadAdmin();
        } catch (error) {
          showMessage(error.message);
        }
      };
      $("freeze-no").onclick = () => {
        $("freeze-confirm").hidden = true;
        toggle.focus();
      };
      $("freeze-no").focus();
    };
  }

  // ---- Views, routing and refresh -----------------------------------------------------------
  function readHash() {
    const hash = decodeURIComponent(location.hash.slice(1));
    const role = state.me ? state.me.key.role : null;
    const approval = /^approval=(apr_[0-9a-z]+)$/.exec(hash);
    // Approvers have no runs view: a run link leaves them on the desk, with no stream to open.
    const run = role === "approver" ? null : /^run=(run_[0-9a-z]+)$/.exec(hash);
    if (approval) {
      state.view = "desk";
      if (state.focusToken !== approval[1]) state.focusPending = true;
      state.focusToken = approval[1];
    } else if (run) {
      state.view = "runs";
      if (state.selectedRunId !== run[1]) {
        state.selectedRunId = run[1];
        openStream(run[1]);
      }
    } else if (["desk", "runs", "spend", "admin"].includes(hash)) {
      state.view = hash;
      state.focusToken = null;
    }
    if (role === "agent" && (state.view === "desk" || state.view === "admin")) state.view = "runs";
    if (role === "approver" && state.view === "runs") state.view = "desk";
    if (role !== "admin" && state.view === "admin") state.view = "desk";
  }
  function showView() {
    for (const view of document.querySelectorAll(".view"))
      view.hidden = view.dataset.view !== state.view;
    for (const link of $("tabs").querySelectorAll("a")) {
      if (link.dataset.view === state.view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }
  async function loadLists() {
    if (state.view === "desk") await loadDesk();
    if (state.view === "runs") await loadRuns();
  }
  async function refresh() {
    if (state.busy) return;
    state.busy = true;
    try {
      readHash();
      showView();
      if (state.view === "desk") await loadDesk();
      else if (state.view === "runs") {
        await loadRuns();
        if (state.selectedRunId) await loadRunDetail();
      } else if (state.view === "spend") await loadSpend();
      else if (state.view === "admin") await loadAdmin();
      if (state.view !== "desk" && state.me.key.role !== "agent") {
        const pending = await api("GET", "/api/desk/approvals?status=pending&limit=50");
        $("pending-count").textContent = pending.approvals.length
          ? String(pending.approvals.length)
          : "";
      }
      for (const node of document.querySelectorAll(".time-left"))
        node.textContent = timeLeft(node.dataset.expires);
      showMessage("");
    } catch (error) {
      if (error.status === 401) {
        forgetKey();
        showMessage(`That key was refused: ${error.message}`);
      } else showMessage(error.message);
    } finally {
      state.busy = false;
    }
  }

  async function useKey() {
    state.me = await api("GET", "/api/desk/me");
    state.tokens = new Map(state.me.tokens.map((t) => [t.symbol.toUpperCase(), t]));
    const role = state.me.key.role;
    document.body.dataset.role = role;
    $("who").replaceChildren(
      el("strong", { text: state.me.key.name || state.me.key.id }),
      " ",
      el("span", { className: "role", text: role }),
    );
    $("network").textContent = `${state.me.network.name} (chain ${state.me.network.chainId})`;
    for (const link of $("tabs").querySelectorAll("a")) {
      const view = link.dataset.view;
      link.hidden =
        (view === "admin" && role !== "admin") ||
        (view === "desk" && role === "agent") ||
        (view === "runs" && role === "approver");
    }
    $("key-form").hidden = true;
    $("key-status").hidden = false;
    $("tabs").hidden = false;
    $("main").hidden = false;
    await refresh();
    clearInterval(state.timer);
    state.timer = setInterval(() => void refresh(), 3000);
  }
  function forgetKey() {
    sessionStorage.removeItem(storageKey);
    clearInterval(state.timer);
    if (state.stream) state.stream.abort();
    state.stream = null;
    state.streamRunId = null;
    state.me = null;
    $("key-form").hidden = false;
    $("key-status").hidden = true;
    $("tabs").hidden = true;
    $("main").hidden = true;
  }

  $("key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = $("api-key").value.trim();
    if (!key) return;
    sessionStorage.setItem(storageKey, key);
    $("api-key").value = "";
    try {
      await useKey();
    } catch (error) {
      forgetKey();
      showMessage(`That key was refused: ${error.message}`);
    }
  });
  $("forget-key").addEventListener("click", () => {
    forgetKey();
    showMessage("");
  });
  $("cancel-run").addEventListener("click", async () => {
    const runId = state.selectedRunId;
    if (!runId || !window.confirm("Cancel this run? Nothing more will be paid or swapped for it."))
      return;
    try {
      await api("POST", `/api/runs/${encodeURIComponent(runId)}/cancel`);
      await refresh();
    } catch (error) {
      showMessage(error.message);
    }
  });
  window.addEventListener("hashchange", () => {
    void refresh().then(() => {
      if (state.view === "runs" && state.selectedRunId) void loadRunDetail().catch(() => {});
    });
  });
  if (sessionStorage.getItem(storageKey)) {
    void useKey().catch((error) => {
      forgetKey();
      showMessage(error.message);
    });
  }
})();
