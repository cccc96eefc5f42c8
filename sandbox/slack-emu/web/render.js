// Block Kit → DOM for the emulator's web view. Builds nodes with textContent only (never
// innerHTML), so message content cannot inject markup.

/** @param {string} tag @param {Record<string,string>} [attrs] @param {(Node|string)[]} [kids] */
export function h(tag, attrs = {}, kids = []) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else el.setAttribute(k, v);
  }
  for (const k of kids) el.append(k);
  return el;
}

// Emoji shortcodes come first: `:white_check_mark:` must not be read as _italic_.
const TOKEN = /(:[a-z0-9_+-]+:|<[^>\n]+>|\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|`[^`\n]+`)/;

/** The shortcodes the app sends; an unknown one stays as typed, as Slack shows it. */
const EMOJI = {
  warning: "⚠️",
  mag: "🔍",
  white_check_mark: "✅",
  heavy_check_mark: "✔️",
  red_circle: "🔴",
  large_green_circle: "🟢",
  large_yellow_circle: "🟡",
  information_source: "ℹ️",
  question: "❓",
  lock: "🔒",
  arrows_counterclockwise: "🔄",
  x: "❌",
  tada: "🎉",
  speech_balloon: "💬",
  rotating_light: "🚨",
  repeat: "🔁",
  no_entry: "⛔",
  hourglass_flowing_sand: "⏳",
  hourglass: "⌛",
  double_vertical_bar: "⏸️",
  bell: "🔔",
  alarm_clock: "⏰",
};

/**
 * `<!date^1796087158^{date_short_pretty} at {time}|fallback>`, in the viewer's own time zone as
 * Slack shows it (api.slack.com "Formatting text for app surfaces": date formatting).
 */
function formatDateToken(inner) {
  const [, ts = "", format = "{date_num}"] = inner.split("|")[0].split("^");
  const d = new Date(Number(ts) * 1000);
  if (Number.isNaN(d.getTime())) return inner.split("|")[1] ?? inner;
  const pad = (n) => String(n).padStart(2, "0");
  const dayDiff = Math.round(
    (new Date().setHours(0, 0, 0, 0) - new Date(d).setHours(0, 0, 0, 0)) / 864e5,
  );
  const pretty = (fallback) =>
    dayDiff === 0 ? "Today" : dayDiff === 1 ? "Yesterday" : dayDiff === -1 ? "Tomorrow" : fallback;
  const long = d.toLocaleDateString("en-US", {
    weekday: "long",
    month: "long",
    day: "numeric",
    year: "numeric",
  });
  const medium = d.toLocaleDateString("en-US", { month: "long", day: "numeric", year: "numeric" });
  const short = d.toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric" });
  const values = {
    date_num: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    date: medium,
    date_short: short,
    date_long: long,
    date_pretty: pretty(medium),
    date_short_pretty: pretty(short),
    date_long_pretty: pretty(long),
    time: d.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" }),
    time_secs: d.toLocaleTimeString("en-US", {
      hour: "numeric",
      minute: "2-digit",
      second: "2-digit",
    }),
  };
  return format.replace(/\{(\w+)\}/g, (m, k) => values[k] ?? m);
}

/** Slack mrkdwn subset: *bold*, _italic_, ~strike~, `code`, <url|label>, <@U…>, <!here>. */
export function mrkdwn(text, users) {
  const out = document.createDocumentFragment();
  text.split("\n").forEach((line, i) => {
    if (i > 0) out.append(h("br"));
    for (const part of line.split(TOKEN)) {
      if (part === "") continue;
      const inner = part.slice(1, -1);
      if (/^:[a-z0-9_+-]+:$/.test(part)) out.append(EMOJI[inner] ?? part);
      else if (part.startsWith("<") && part.endsWith(">")) {
        if (inner.startsWith("!date^")) out.append(formatDateToken(inner.slice(1)));
        else if (inner.startsWith("@"))
          out.append(h("b", {}, [`@${users.get(inner.slice(1)) ?? inner.slice(1)}`]));
        else if (inner.startsWith("!subteam^")) {
          // A user-group mention: Slack shows the group's handle.
          const [id = "", label] = inner.slice("!subteam^".length).split("|");
          out.append(h("b", {}, [`@${users.get(id) ?? label ?? id}`]));
        } else if (inner.startsWith("!"))
          out.append(h("b", {}, [`@${inner.slice(1).split("|")[0]}`]));
        else if (inner.startsWith("#"))
          out.append(h("b", {}, [`#${inner.split("|")[1] ?? inner.slice(1)}`]));
        else {
          const [url, label] = inner.split("|");
          const safe = /^https?:\/\//.test(url ?? "") ? (url ?? "") : "#";
          out.append(
            h("a", { href: safe, target: "_blank", rel: "noreferrer" }, [label ?? url ?? ""]),
          );
        }
      } else if (/^\*.+\*$/.test(part)) out.append(h("b", {}, [inner]));
      else if (/^_.+_$/.test(part)) out.append(h("i", {}, [inner]));
      else if (/^~.+~$/.test(part)) out.append(h("s", {}, [inner]));
      else if (/^`.+`$/.test(part)) out.append(h("code", {}, [inner]));
      else out.append(part);
    }
  });
  return out;
}

function textObj(t, users) {
  if (!t || typeof t.text !== "string") return document.createTextNode("");
  return t.type === "mrkdwn" ? mrkdwn(t.text, users) : document.createTextNode(t.text);
}

/**
 * Block Kit's confirmation dialog object (title, text, confirm, deny, style), shown the way
 * Slack shows it: a modal with the deny button and the confirm button. Resolves true on confirm.
 * @param {any} c @param {Map<string,string>} users @returns {Promise<boolean>}
 */
export function confirmDialog(c, users) {
  return new Promise((resolve) => {
    const deny = h("button", { type: "button", class: "btn", "data-testid": "confirm-deny" }, [
      c.deny?.text ?? "Cancel",
    ]);
    const ok = h(
      "button",
      {
        type: "button",
        class: `btn ${c.style === "danger" ? "danger" : "primary"}`,
        "data-testid": "confirm-ok",
      },
      [c.confirm?.text ?? "Yes"],
    );
    const dialog = h(
      "div",
      { class: "modal confirm", role: "alertdialog", "data-testid": "confirm" },
      [
        h("h2", {}, [c.title?.text ?? "Are you sure?"]),
        h("p", {}, [textObj(c.text, users)]),
        h("div", { class: "actions" }, [deny, ok]),
      ],
    );
    const backdrop = h("div", { class: "modal-backdrop" }, [dialog]);
    const close = (answer) => {
      backdrop.remove();
      resolve(answer);
    };
    deny.addEventListener("click", () => close(false));
    ok.addEventListener("click", () => close(true));
    document.body.append(backdrop);
    ok.focus();
  });
}

/**
 * @param {any} el interactive element
 * @param {{ onAction?: (action: any) => void, users: Map<string,string>, inputs?: Map<string, () => any> }} ctx
 * @param {string} blockId
 */
function element(el, ctx, blockId) {
  if (el.type === "button") {
    const b = h(
      "button",
      { type: "button", class: `btn ${el.style ?? ""}`, "data-action-id": el.action_id ?? "" },
      [el.text?.text ?? ""],
    );
    b.addEventListener("click", async () => {
      // Slack asks first when the button carries a confirm object; Cancel sends nothing.
      if (el.confirm && !(await confirmDialog(el.confirm, ctx.users))) return;
      ctx.onAction?.({ action_id: el.action_id, block_id: blockId });
    });
    return b;
  }
  if (el.type === "static_select" && !ctx.inputs) {
    const sel = h("select", { "data-action-id": el.action_id ?? "" }, [
      h("option", { value: "" }, [el.placeholder?.text ?? "Choose…"]),
      ...(el.options ?? []).map((o) => h("option", { value: o.value }, [o.text?.text ?? o.value])),
    ]);
    sel.addEventListener("change", () => {
      const o = (el.options ?? []).find((x) => x.value === sel.value);
      if (o)
        ctx.onAction?.({
          action_id: el.action_id,
          block_id: blockId,
          selected_option: o,
          type: "static_select",
        });
    });
    return sel;
  }
  if (el.type === "checkboxes") {
    // Slack keeps ticked boxes in the view's state.values and sends a block action per change.
    const picked = new Set();
    const save = () => {
      if (!ctx.viewValues) return;
      ctx.viewValues[blockId] = {
        ...(ctx.viewValues[blockId] ?? {}),
        [el.action_id ?? ""]: {
          type: "checkboxes",
          selected_options: (el.options ?? []).filter((o) => picked.has(o.value)),
        },
      };
    };
    return h(
      "div",
      { class: "checkboxes", "data-action-id": el.action_id ?? "" },
      (el.options ?? []).map((o) => {
        const box = h("input", { type: "checkbox", value: o.value });
        box.addEventListener("change", () => {
          if (box.checked) picked.add(o.value);
          else picked.delete(o.value);
          save();
          ctx.onAction?.({ action_id: el.action_id, block_id: blockId, type: "checkboxes" });
        });
        return h("label", {}, [box, ` ${o.text?.text ?? o.value}`]);
      }),
    );
  }
  if (el.type === "image") return h("span", {}, [`[${el.alt_text ?? "image"}]`]);
  return h("span", { class: "muted" }, [`[${el.type}]`]);
}

/** An input element in a modal; registers a reader giving its state.values entry. */
function inputElement(el, ctx, blockId) {
  let node;
  let read;
  if (el.type === "static_select") {
    node = h("select", {}, [
      h("option", { value: "" }, ["Choose…"]),
      ...(el.options ?? []).map((o) => h("option", { value: o.value }, [o.text?.text ?? o.value])),
    ]);
    read = () => {
      const o = (el.options ?? []).find((x) => x.value === node.value);
      return { type: el.type, selected_option: o ?? null };
    };
  } else if (el.type === "users_select") {
    node = h("select", {}, [
      h("option", { value: "" }, ["Choose a person…"]),
      ...[...(ctx.users ?? new Map()).entries()].map(([id, name]) =>
        h("option", { value: id }, [name]),
      ),
    ]);
    if (el.initial_user) node.value = el.initial_user;
    read = () => ({ type: el.type, selected_user: node.value || null });
  } else if (el.type === "datepicker") {
    node = h("input", { type: "date" });
    read = () => ({ type: el.type, selected_date: node.value || null });
  } else {
    node = el.multiline
      ? h("textarea", { rows: "3" })
      : h("input", { type: el.type === "number_input" ? "number" : "text" });
    if (el.initial_value) node.value = el.initial_value;
    read = () => ({ type: el.type, value: node.value === "" ? null : node.value });
  }
  node.setAttribute("data-action-id", el.action_id ?? "");
  node.setAttribute("name", `${blockId}.${el.action_id ?? ""}`);
  ctx.inputs?.set(`${blockId}\u0000${el.action_id ?? ""}`, read);
  return node;
}

/** @param {any[]} blocks */
export function renderBlocks(blocks, ctx) {
  const frag = document.createDocumentFragment();
  for (const b of blocks ?? []) {
    const blockId = b.block_id ?? "";
    const wrap = h("div", { class: `block ${b.type}`, "data-block-id": blockId });
    switch (b.type) {
      case "header":
        wrap.append(b.text?.text ?? "");
        break;
      case "divider":
        break;
      case "section": {
        const row = h("div", { class: "section-row" });
        const body = h("div");
        if (b.text) body.append(h("div", {}, [textObj(b.text, ctx.users)]));
        if (b.fields)
          body.append(
            h(
              "div",
              { class: "fields" },
              b.fields.map((f) => h("div", {}, [textObj(f, ctx.users)])),
            ),
          );
        row.append(body);
        if (b.accessory) row.append(element(b.accessory, ctx, blockId));
        wrap.append(row);
        break;
      }
      case "context":
        for (const e of b.elements ?? []) {
          wrap.append(
            e.type === "image" ? `[${e.alt_text ?? "image"}] ` : textObj(e, ctx.users),
            " ",
          );
        }
        break;
      case "actions":
        for (const e of b.elements ?? []) wrap.append(element(e, ctx, blockId));
        break;
      case "image":
        wrap.append(`[image: ${b.alt_text ?? ""}]`);
        break;
      case "input": {
        wrap.append(h("label", {}, [b.label?.text ?? ""]));
        if (b.element)
          wrap.append(
            ctx.inputs ? inputElement(b.element, ctx, blockId) : element(b.element, ctx, blockId),
          );
        wrap.append(h("div", { class: "error", "data-error-for": blockId }));
        break;
      }
      case "rich_text":
        wrap.append(richText(b));
        break;
      default:
        wrap.append(`[${b.type} block]`);
    }
    frag.append(wrap);
  }
  return frag;
}

function richText(b) {
  const parts = [];
  const walk = (n) => {
    if (typeof n?.text === "string") parts.push(n.text);
    for (const c of n?.elements ?? []) walk(c);
  };
  walk(b);
  return parts.join("");
}
