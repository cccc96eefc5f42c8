// The emulator's web view: channels, messages rendered from Block Kit, a composer that sends
// slash commands as signed requests to the app, buttons and modals that send signed
// interactions, the App Home tab, live updates over server-sent events. Everything goes
// through the emulator's inspection API (/_emu/...).
import { h, mrkdwn, renderBlocks } from "./render.js";

const $ = (id) => document.getElementById(id);
const state = { users: new Map(), user: "", channel: "", channels: [], modal: null, botUserId: "" };

async function api(path, body) {
  const res = await fetch(`/_emu/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

function status(text) {
  $("status").textContent = text;
}

/** Platform calls answer { ok, result: { status, json, timedOut } }; say what went wrong. */
function reportPlatform(r) {
  if (!r.ok) return status(`Not sent: ${r.error}`);
  const { result } = r;
  if (result.timedOut) return status("The app did not answer within 3 seconds");
  if (result.status >= 400 || result.status === 0)
    return status(`The app answered HTTP ${result.status}`);
  status("");
  return result;
}

function when(ts) {
  return new Date(Number(ts.split(".")[0]) * 1000).toLocaleTimeString();
}

function messageNode(m, { ephemeral = false } = {}) {
  const isBot =
    Boolean(m.bot_id) || m.via === "web_api" || m.via === "response_url" || m.via === "ack";
  const who = isBot ? "CloudSuite" : (state.users.get(m.user) ?? m.user);
  const ts = m.ts ?? m.message_ts;
  const node = h("article", { class: `message${ephemeral ? " ephemeral" : ""}`, "data-ts": ts });
  const head = h("div", {}, [h("span", { class: "who" }, [who])]);
  if (isBot) head.append(h("span", { class: "bot-tag" }, ["APP"]));
  head.append(h("span", { class: "when" }, [when(ts)]));
  if (m.edited) {
    const e = h("span", { class: "edited", title: `${m.edits?.length ?? 0} earlier version(s)` }, [
      "(edited)",
    ]);
    head.append(e);
  }
  if (ephemeral) head.append(h("span", { class: "ephemeral-note" }, ["Only visible to you"]));
  node.append(head);
  const onAction = (action) => clickAction(m, action, ephemeral);
  if (m.blocks?.length) node.append(renderBlocks(m.blocks, { onAction, users: state.users }));
  else node.append(h("div", {}, [mrkdwn(m.text ?? "", state.users)]));
  if (m.replies?.length) {
    node.append(
      h(
        "div",
        { class: "thread" },
        m.replies.map((r) => messageNode(r)),
      ),
    );
  }
  return node;
}

async function clickAction(m, action, ephemeral) {
  const r = await api("platform/action", {
    userId: state.user,
    channelId: state.channel,
    messageTs: m.ts ?? m.message_ts,
    ephemeral,
    action,
  });
  reportPlatform(r);
}

async function renderChannel() {
  const box = $("messages");
  if (state.channel === "home") return renderHome();
  const c = state.channels.find((x) => x.id === state.channel);
  $("channel-header").textContent = c ? channelLabel(c) : "";
  const [messages, ephemerals] = await Promise.all([
    api(`channels/${state.channel}/messages`),
    api(`ephemerals?channel=${state.channel}&user=${state.user}`),
  ]);
  const items = [
    ...messages.filter((m) => !m.deleted).map((m) => ({ ts: m.ts, node: () => messageNode(m) })),
    ...ephemerals
      .filter((e) => !e.deleted && !e.replaced && !e.thread_ts)
      .map((e) => ({ ts: e.message_ts, node: () => messageNode(e, { ephemeral: true }) })),
  ].sort((a, b) => (a.ts < b.ts ? -1 : 1));
  box.replaceChildren(...items.map((i) => i.node()));
  box.scrollTop = box.scrollHeight;
}

async function renderHome() {
  $("channel-header").textContent = "App Home";
  const view = await api(`home/${state.user}`);
  const box = $("messages");
  if (!view) {
    box.replaceChildren(h("p", {}, ["The app has not published a Home tab for this user yet."]));
    return;
  }
  // What the user ticked on the Home tab travels with each click, as Slack's view.state.values.
  const viewValues = {};
  const onAction = async (action) =>
    reportPlatform(
      await api("platform/action", {
        userId: state.user,
        viewId: view.id,
        action,
        values: viewValues,
      }),
    );
  box.replaceChildren(renderBlocks(view.blocks, { onAction, users: state.users, viewValues }));
}

function channelLabel(c) {
  if (c.is_im) return "CloudSuite (direct message)";
  return `# ${c.name}${c.is_private ? " (private)" : ""}`;
}

function renderSidebar() {
  const nav = $("channels");
  nav.replaceChildren(
    ...state.channels
      .filter((c) => !c.is_im || c.user === state.user)
      .map((c) => {
        const label = channelLabel(c);
        const member = c.members.includes(state.botUserId);
        const b = h(
          "button",
          {
            type: "button",
            class: `nav${c.id === state.channel ? " active" : ""}${member ? "" : " muted"}`,
            "data-channel": c.id,
          },
          [label + (c.is_archived ? " (archived)" : "")],
        );
        b.addEventListener("click", () => select(c.id));
        return b;
      }),
  );
  $("home-link").classList.toggle("active", state.channel === "home");
}

async function select(channel) {
  state.channel = channel;
  renderSidebar();
  if (channel === "home") {
    reportPlatform(await api("platform/home", { userId: state.user }));
  }
  await renderChannel();
}

function closeModal() {
  state.modal = null;
  $("modal-root").replaceChildren();
}

function showModal(view) {
  state.modal = view.id;
  const inputs = new Map();
  const onAction = async (action) =>
    reportPlatform(await api("platform/action", { userId: state.user, viewId: view.id, action }));
  const form = h("form", { class: "modal", "data-view-id": view.id }, [
    h("h2", {}, [view.title?.text ?? ""]),
    renderBlocks(view.blocks, { onAction, users: state.users, inputs }),
  ]);
  const cancel = h("button", { type: "button", class: "btn" }, [view.close?.text ?? "Cancel"]);
  cancel.addEventListener("click", closeModal);
  const actions = h("div", { class: "actions" }, [cancel]);
  if (view.submit)
    actions.append(h("button", { type: "submit", class: "btn primary" }, [view.submit.text]));
  form.append(actions);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const values = {};
    for (const [key, read] of inputs) {
      const [blockId, actionId] = key.split("\u0000");
      values[blockId] = { ...(values[blockId] ?? {}), [actionId]: read() };
    }
    const result = reportPlatform(
      await api("platform/submit", { userId: state.user, viewId: view.id, values }),
    );
    const ack = result?.json;
    if (ack?.response_action === "errors") {
      for (const [blockId, msg] of Object.entries(ack.errors ?? {})) {
        const slot = form.querySelector(`[data-error-for="${CSS.escape(blockId)}"]`);
        if (slot) slot.textContent = String(msg);
      }
    }
  });
  $("modal-root").replaceChildren(h("div", { class: "modal-backdrop" }, [form]));
}

function onEvent(e) {
  if (e.type === "reset") return boot();
  if (e.type === "view") {
    const v = e.view;
    if (v.user_id !== state.user) return;
    if (v.type === "home") return state.channel === "home" && renderHome();
    if (e.action === "closed") return state.modal === v.id && closeModal();
    return showModal(v);
  }
  if (["message", "message_changed", "message_deleted", "ephemeral"].includes(e.type)) {
    if (e.channel === state.channel) renderChannel();
    else if (e.type === "message" && !state.channels.some((c) => c.id === e.channel))
      loadChannels();
  }
}

async function loadChannels() {
  state.channels = await api("channels");
  renderSidebar();
}

/**
 * Where the view opens: `#channel=<id>` in the address when given, else the app's channel with
 * the latest message (an empty #general says nothing about the app), else its first channel.
 */
async function openingChannel() {
  const asked = new URLSearchParams(location.hash.slice(1)).get("channel");
  if (asked && state.channels.some((c) => c.id === asked)) return asked;
  const mine = state.channels.filter((c) => c.members.includes(state.botUserId) && !c.is_archived);
  const latest = await Promise.all(
    mine.map(async (c) => {
      const messages = await api(`channels/${c.id}/messages`);
      return { id: c.id, ts: messages.at(-1)?.ts ?? "" };
    }),
  );
  const busiest = latest.filter((l) => l.ts).sort((a, b) => (a.ts < b.ts ? 1 : -1))[0];
  return busiest?.id ?? mine[0]?.id ?? "";
}

async function boot() {
  const ws = await api("workspace");
  state.botUserId = ws.botUserId;
  $("team").textContent = ws.teamName;
  // User-group ids map to their handles, so `<!subteam^S…>` mentions read as Slack shows them.
  state.users = new Map([
    ...ws.users.map((u) => [u.id, u.real_name]),
    ...(ws.usergroups ?? []).map((g) => [g.id, g.handle]),
  ]);
  const people = ws.users.filter((u) => !u.is_bot && !u.deleted);
  const sel = $("user");
  sel.replaceChildren(
    ...people.map((u) =>
      h("option", { value: u.id }, [`${u.real_name}${u.is_admin ? " (admin)" : ""}`]),
    ),
  );
  state.user = state.user || people[0]?.id || "";
  sel.value = state.user;
  await loadChannels();
  await select(state.channel || (await openingChannel()));
  $("meta").textContent = `bot ${ws.botUserId}`;
}

$("user").addEventListener("change", (ev) => {
  state.user = ev.target.value;
  closeModal();
  select(state.channel);
});
$("home-link").addEventListener("click", () => select("home"));
$("composer").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("composer-input");
  const text = input.value.trim();
  if (!text || state.channel === "home") return;
  input.value = "";
  if (text.startsWith("/")) {
    const [command, ...rest] = text.split(" ");
    reportPlatform(
      await api("platform/command", {
        command,
        text: rest.join(" "),
        userId: state.user,
        channelId: state.channel,
      }),
    );
  } else {
    const r = await api("control/postAsUser", { channel: state.channel, user: state.user, text });
    if (!r.ok) status(`Not sent: ${r.error}`);
  }
});

const events = new EventSource("/_emu/events");
for (const type of [
  "message",
  "message_changed",
  "message_deleted",
  "ephemeral",
  "view",
  "reset",
]) {
  events.addEventListener(type, (ev) => onEvent(JSON.parse(ev.data)));
}
boot();
