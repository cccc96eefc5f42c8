import type { Rng } from "./random.ts";

/**
 * Hostile bodies for the interactivity endpoint, correctly signed, so only the body is under test:
 * malformed JSON in `payload=`, wrong types, unknown and known action ids with garbage values,
 * huge values, wrong content types. Slack itself never sends these; a bug or a leaked signing
 * secret could, and the app must answer 200 or 4xx without crashing.
 */
export interface FuzzBody {
  kind: string;
  body: string;
  contentType: string;
}

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const KNOWN_ACTIONS = [
  "approval.approve",
  "approval.reject",
  "approval.hold",
  "lookup.share",
  "lookup.supplier.pick",
  "open.erp",
];

function garbage(rng: Rng, depth = 0): unknown {
  const r = rng.int(0, depth > 2 ? 5 : 8);
  switch (r) {
    case 0:
      return null;
    case 1:
      return rng.int(-(2 ** 40), 2 ** 40);
    case 2:
      return rng.chance(0.5);
    case 3:
      return "x".repeat(rng.int(0, 5000));
    case 4:
      return rng.pick(["", "__proto__", "constructor", "<!channel>", "' or 1=1", "\u202e\u0000"]);
    case 5:
      return rng.next() * 1e308;
    case 6:
      return [garbage(rng, depth + 1), garbage(rng, depth + 1)];
    case 7:
      return { __proto__: { polluted: true }, a: garbage(rng, depth + 1) };
    default:
      return { type: garbage(rng, depth + 1), value: garbage(rng, depth + 1) };
  }
}

function form(payload: string): string {
  return `payload=${encodeURIComponent(payload)}`;
}

function blockActions(rng: Rng, actionId: unknown, value: unknown): Record<string, unknown> {
  const base: Record<string, unknown> = {
    type: "block_actions",
    team: { id: "T0EMU00001", domain: "emu" },
    user: { id: rng.pick(["U0CLERK001", "U0APPR0001", "U0NOBODY01", ""]), name: "x" },
    api_app_id: "A0EMUAPP01",
    trigger_id: `${rng.int(1, 1e9)}.trigger`,
    container: { type: "message", message_ts: "1.000001", channel_id: "C0AP000001" },
    channel: { id: rng.pick(["C0AP000001", "C0NOBOT001", "CNOPE", ""]) },
    message: { ts: "1.000001", text: "x", blocks: [] },
    response_url: "http://127.0.0.1:9/_resp/nowhere",
    actions: [
      {
        type: "button",
        action_id: actionId,
        block_id: rng.pick(["approval.actions", "b1", ""]),
        value,
        action_ts: "1.000002",
      },
    ],
  };
  return base;
}

export function fuzzInteraction(rng: Rng): FuzzBody {
  const shape = rng.int(0, 11);
  switch (shape) {
    case 0:
      return {
        kind: "malformed_json",
        body: form(`{"type":"block_actions",${"[".repeat(rng.int(1, 50))}`),
        contentType: FORM,
      };
    case 1:
      return {
        kind: "not_json",
        body: form(rng.pick(["undefined", "NaN", "'x'", "{a:1}", ""])),
        contentType: FORM,
      };
    case 2:
      // Not `null`: Bolt 5.1's HTTPReceiver reads `body.ssl_check` on it and never answers (an
      // unhandled rejection; see KNOWN_GAPS in the test and the report).
      return {
        kind: "json_scalar",
        body: form(JSON.stringify(garbage(rng) ?? 0)),
        contentType: FORM,
      };
    case 3: {
      const p = blockActions(rng, rng.pick(KNOWN_ACTIONS), garbage(rng));
      return {
        kind: "known_action_garbage_value",
        body: form(JSON.stringify(p)),
        contentType: FORM,
      };
    }
    case 4: {
      const p = blockActions(rng, `unknown.${rng.int(0, 1e6)}`, "v");
      return { kind: "unknown_action", body: form(JSON.stringify(p)), contentType: FORM };
    }
    case 5: {
      const p = blockActions(rng, garbage(rng), garbage(rng));
      return { kind: "wrong_types", body: form(JSON.stringify(p)), contentType: FORM };
    }
    case 6: {
      const p = blockActions(rng, rng.pick(KNOWN_ACTIONS), "v".repeat(rng.int(10_000, 200_000)));
      return { kind: "huge_value", body: form(JSON.stringify(p)), contentType: FORM };
    }
    case 7: {
      const p = {
        type: "view_submission",
        user: { id: "U0APPR0001" },
        view: {
          id: "V0NOPE",
          callback_id: rng.pick(["approval.reject_modal", "unknown.modal", ""]),
          private_metadata: rng.pick(["", "{", JSON.stringify(garbage(rng)), "apv_missing"]),
          state: { values: garbage(rng) },
        },
      };
      return { kind: "view_submission_garbage", body: form(JSON.stringify(p)), contentType: FORM };
    }
    case 8: {
      const p = {
        type: rng.pick(["shortcut", "message_action", "block_suggestion", "nope"]),
        x: garbage(rng),
      };
      return { kind: "other_type", body: form(JSON.stringify(p)), contentType: FORM };
    }
    case 9:
      return {
        kind: "json_event_garbage",
        body: JSON.stringify({
          type: "event_callback",
          event_id: `Ev${rng.int(1, 1e9)}`,
          event: garbage(rng),
        }),
        contentType: JSON_TYPE,
      };
    case 10:
      return { kind: "bad_json_body", body: `{"type":"event_callback",`, contentType: JSON_TYPE };
    default:
      return {
        kind: "slash_command_fields_missing",
        body: rng.pick(["command=%2Finfor", "text=po%201", "command=%2Fnope&text=x", "=&=&&"]),
        contentType: FORM,
      };
  }
}
