// Block Kit validation, pure. Limits from docs.slack.dev/reference/block-kit: 50 blocks per
// message, 100 per modal or Home tab; section text 3,000, up to 10 fields of 2,000; header
// 150 (plain_text); button text 75, value 2,000, url 3,000; action_id / block_id 255;
// actions ≤ 25 elements; context ≤ 10 elements. Slack answers `invalid_blocks` with
// response_metadata.messages lines shaped "[ERROR] <what> [json-pointer:<path>]".

export type Surface = "message" | "modal" | "home";

const BLOCK_TYPES = new Set([
  "section",
  "divider",
  "image",
  "actions",
  "context",
  "input",
  "header",
  "rich_text",
  "file",
  "video",
  "markdown",
  "context_actions",
  "table",
]);

const ELEMENT_TYPES = new Set([
  "button",
  "checkboxes",
  "datepicker",
  "datetimepicker",
  "timepicker",
  "image",
  "overflow",
  "radio_buttons",
  "static_select",
  "external_select",
  "users_select",
  "conversations_select",
  "channels_select",
  "multi_static_select",
  "multi_external_select",
  "multi_users_select",
  "multi_conversations_select",
  "multi_channels_select",
  "plain_text_input",
  "email_text_input",
  "url_text_input",
  "number_input",
  "rich_text_input",
  "file_input",
  "workflow_button",
]);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

class Collector {
  readonly errors: string[] = [];
  add(what: string, pointer: string): void {
    this.errors.push(`[ERROR] ${what} [json-pointer:${pointer}]`);
  }
  maxLen(value: unknown, max: number, pointer: string): void {
    if (typeof value === "string" && value.length > max) {
      this.add(`must be less than ${max + 1} characters`, pointer);
    }
  }
}

function textObject(
  c: Collector,
  v: unknown,
  p: string,
  max: number,
  plainOnly = false,
  required = true,
): void {
  if (v === undefined) {
    if (required) c.add("missing required field: text", p);
    return;
  }
  if (!isObj(v)) {
    c.add("must be an object", p);
    return;
  }
  if (v.type !== "plain_text" && v.type !== "mrkdwn") {
    c.add("must be one of plain_text, mrkdwn", `${p}/type`);
    return;
  }
  if (plainOnly && v.type !== "plain_text") c.add("must be plain_text", `${p}/type`);
  if (typeof v.text !== "string") {
    c.add("missing required field: text", `${p}/text`);
    return;
  }
  if (v.text.length === 0) c.add("must be more than 0 characters", `${p}/text`);
  c.maxLen(v.text, max, `${p}/text`);
}

function element(c: Collector, el: unknown, p: string): void {
  if (!isObj(el)) {
    c.add("must be an object", p);
    return;
  }
  if (typeof el.type !== "string" || !ELEMENT_TYPES.has(el.type)) {
    c.add(`unsupported type: ${String(el.type)}`, `${p}/type`);
    return;
  }
  c.maxLen(el.action_id, 255, `${p}/action_id`);
  if (el.type === "button") {
    textObject(c, el.text, `${p}/text`, 75, true);
    c.maxLen(el.value, 2000, `${p}/value`);
    c.maxLen(el.url, 3000, `${p}/url`);
    if (el.style !== undefined && el.style !== "primary" && el.style !== "danger") {
      c.add("must be one of primary, danger", `${p}/style`);
    }
  }
}

function block(c: Collector, b: unknown, p: string): void {
  if (!isObj(b)) {
    c.add("must be an object", p);
    return;
  }
  if (typeof b.type !== "string" || !BLOCK_TYPES.has(b.type)) {
    c.add(`unsupported block type: ${String(b.type)}`, `${p}/type`);
    return;
  }
  c.maxLen(b.block_id, 255, `${p}/block_id`);
  switch (b.type) {
    case "section": {
      if (b.text === undefined && b.fields === undefined) {
        c.add("must provide either text or fields", p);
      }
      if (b.text !== undefined) textObject(c, b.text, `${p}/text`, 3000);
      if (b.fields !== undefined) {
        if (!Array.isArray(b.fields)) {
          c.add("must be an array", `${p}/fields`);
          return;
        }
        if (b.fields.length > 10) c.add("no more than 10 items allowed", `${p}/fields`);
        b.fields.forEach((f, i) => {
          textObject(c, f, `${p}/fields/${i}`, 2000);
        });
      }
      if (b.accessory !== undefined) element(c, b.accessory, `${p}/accessory`);
      return;
    }
    case "header": {
      textObject(c, b.text, `${p}/text`, 150, true);
      return;
    }
    case "actions": {
      if (!Array.isArray(b.elements)) {
        c.add("missing required field: elements", p);
        return;
      }
      if (b.elements.length > 25) c.add("no more than 25 items allowed", `${p}/elements`);
      b.elements.forEach((el, i) => {
        element(c, el, `${p}/elements/${i}`);
      });
      return;
    }
    case "context": {
      if (!Array.isArray(b.elements)) {
        c.add("missing required field: elements", p);
        return;
      }
      if (b.elements.length > 10) c.add("no more than 10 items allowed", `${p}/elements`);
      b.elements.forEach((el, i) => {
        const ep = `${p}/elements/${i}`;
        if (isObj(el) && el.type === "image") return;
        textObject(c, el, ep, 3000);
      });
      return;
    }
    case "image": {
      if (typeof b.alt_text !== "string") c.add("missing required field: alt_text", p);
      if (b.image_url === undefined && b.slack_file === undefined) {
        c.add("missing required field: image_url", p);
      }
      return;
    }
    case "input": {
      textObject(c, b.label, `${p}/label`, 2000, true);
      if (b.element === undefined) {
        c.add("missing required field: element", p);
        return;
      }
      element(c, b.element, `${p}/element`);
      return;
    }
    default:
      return;
  }
}

/** Errors in Slack's response_metadata.messages format; empty when the blocks are valid. */
export function validateBlocks(blocks: unknown, surface: Surface): string[] {
  const c = new Collector();
  if (!Array.isArray(blocks)) {
    c.add("must be an array", "/blocks");
    return c.errors;
  }
  const max = surface === "message" ? 50 : 100;
  if (blocks.length > max) c.add(`no more than ${max} items allowed`, "/blocks");
  blocks.forEach((b, i) => {
    block(c, b, `/blocks/${i}`);
  });
  return c.errors;
}

/** Modal / Home view checks (docs: modal title ≤ 24 plain_text, submit / close ≤ 24). */
export function validateView(view: unknown): string[] {
  const c = new Collector();
  if (!isObj(view)) {
    c.add("must be an object", "/view");
    return c.errors;
  }
  if (view.type !== "modal" && view.type !== "home") {
    c.add("must be one of modal, home", "/view/type");
    return c.errors;
  }
  if (view.type === "modal") {
    textObject(c, view.title, "/view/title", 24, true);
    if (view.submit !== undefined) textObject(c, view.submit, "/view/submit", 24, true);
    if (view.close !== undefined) textObject(c, view.close, "/view/close", 24, true);
  }
  c.maxLen(view.private_metadata, 3000, "/view/private_metadata");
  c.maxLen(view.callback_id, 255, "/view/callback_id");
  const blockErrors = validateBlocks(view.blocks, view.type).map((e) =>
    e.replace("[json-pointer:/blocks", "[json-pointer:/view/blocks"),
  );
  return [...c.errors, ...blockErrors];
}

/**
 * Slack fills in a block_id for every block that has none ("If not specified, a block_id
 * will be generated", Block Kit reference); apps read them back in interaction payloads.
 */
export function withBlockIds(
  blocks: unknown[] | undefined,
  random: () => number = Math.random,
): unknown[] | undefined {
  if (!blocks) return blocks;
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const gen = () =>
    Array.from({ length: 5 }, () => chars[Math.floor(random() * chars.length)]).join("");
  return blocks.map((b) =>
    isObj(b) && typeof b.block_id !== "string" ? { ...b, block_id: gen() } : b,
  );
}
