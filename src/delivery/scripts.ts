import { defineScript, type ScriptArg } from "../shared/lua-script.ts";

/** Each atomic Redis operation of delivery, one Lua file each (the header names KEYS/ARGV). */
const lua = (name: string) => new URL(`./lua/${name}.lua`, import.meta.url);

/** pacer-take.lua's status (the reply's first element). */
export const TAKE_CODE = { granted: 0, notHead: 1, rate: 2, blocked: 3, notInLine: 4 } as const;

/**
 * Take a send slot (pacer-take.lua). The tail holds the GCRA buckets: their keys, and per bucket
 * its interval ms, tolerance ms and mode ("chan", "ws", "fixed").
 */
/** take-slot.lua's keys and arguments, first in pacer-take.lua and claim-post.lua alike. */
const TAKE_KEYS = ["line", "blocked", "pace", "workspacePace", "postLine"] as const;
const TAKE_ARGS = [
  "now",
  "member",
  "channelIntervalMs",
  "startAllowance",
  "fixedAllowance",
  "learnTtlMs",
  "line",
] as const;

/** take-slot.lua's reply, and whatever the script appends after it. */
function takeReply(raw: unknown) {
  const [status, waitMs, head, rank, ...rest] = raw as [number, number, string, number?];
  return {
    status: Number(status),
    waitMs: Number(waitMs),
    head: String(head),
    rank: Number(rank ?? 0),
    rest: rest as unknown[],
  };
}

export const pacerTakeScript = defineScript({
  file: lua("pacer-take"),
  keys: [...TAKE_KEYS],
  args: [...TAKE_ARGS],
  decode(raw) {
    const { rest: _rest, ...reply } = takeReply(raw);
    return reply;
  },
});

/** claim-post.lua's status beyond pacer-take.lua's: the markers call for the full path. */
export const CLAIM_LOOK = 5;

/**
 * Claim a plain post's send (claim-post.lua): markers checked, slot taken, in-flight marker and
 * the attempt's audit entry written, in one step. pacer-take.lua's reply, plus the successor in
 * line when granted. The tail is the attempt's audit entry (stream and index keys; MAXLEN and
 * fields).
 */
export const claimPostScript = defineScript({
  file: lua("claim-post"),
  keys: [...TAKE_KEYS, "tat", "workspaceTat", "delivered", "digested", "inflight", "subject"],
  args: [
    ...TAKE_ARGS,
    "chanInterval",
    "chanTolerance",
    "chanMode",
    "wsInterval",
    "wsTolerance",
    "wsMode",
    "editable",
    "since",
    "threadTs",
    "channel",
    "ttlMs",
  ],
  decode(raw) {
    const { rest, ...reply } = takeReply(raw);
    const successor = rest[0];
    return { ...reply, successor: successor ? String(successor) : undefined };
  },
});

/** learn-step.lua's keys and arguments: pacer-learn.lua's, and exit-post.lua's after its own. */
export const LEARN_KEYS = ["pace", "workspacePace", "blocked", "tat"] as const;
export const LEARN_ARGS = [
  "now",
  "event",
  "retryAfterMs",
  "channelIntervalMs",
  "start",
  "min",
  "max",
  "step",
  "margin",
  "holdSuccesses",
  "workspaceDecrease",
  "workspaceIncrease",
  "workspaceMinFactor",
  "learnTtlMs",
  "fixed",
] as const;
export type LearnKey = (typeof LEARN_KEYS)[number];
export type LearnArg = (typeof LEARN_ARGS)[number];

/** Learn from a chat.postMessage outcome (pacer-learn.lua). */
export const pacerLearnScript = defineScript({
  file: lua("pacer-learn"),
  keys: [...LEARN_KEYS],
  args: [...LEARN_ARGS],
  decode(raw) {
    const [allowance, factor, blame] = raw as [string, string, string];
    return { allowance: Number(allowance), factor: Number(factor), blame };
  },
});

/**
 * Reserve a Web API method's next call (method-take.lua): the wait in ms (0 = now), or minus the
 * wait when the slot is further than the caller accepts (nothing reserved).
 */
export const methodTakeScript = defineScript({
  file: lua("method-take"),
  keys: ["tat"],
  args: ["now", "intervalMs", "toleranceMs", "maxWaitMs"],
  decode: (raw) => Number(raw),
});

/** Put an alert in a channel line once (order-add.lua): its sequence number and rank. */
export const orderAddScript = defineScript({
  file: lua("order-add"),
  keys: ["line", "seq"],
  args: ["member"],
  decode(raw) {
    const [seq, rank] = raw as [ScriptArg, ScriptArg];
    return { seq: Number(seq), rank: Number(rank) };
  },
});

/** enqueue-alert.lua's status (the reply's first element). */
export const ADMIT_CODE = { registered: 0, delivered: 1 } as const;

/**
 * Admit an alert (enqueue-alert.lua): its audit entry when `store` is "1" (the tail: stream and
 * index keys; MAXLEN and fields), then, unless delivered, its place in line and as pending.
 */
export const enqueueAlertScript = defineScript({
  file: lua("enqueue-alert"),
  keys: ["delivered", "subject", "order", "edits", "seq", "pending", "stats", "job"],
  args: ["alertId", "editsInPlace", "now", "store"],
  decode(raw) {
    const [status, rank, edit, jobExists] = raw as [ScriptArg, ScriptArg, ScriptArg, ScriptArg];
    return {
      status: Number(status),
      rank: Number(rank),
      edit: Number(edit) === 1,
      jobExists: Number(jobExists) === 1,
    };
  },
});

/**
 * Admit several alerts in order (enqueue-alerts.lua), each as enqueueAlertScript admits one. The
 * tail holds every alert's keys and arguments (src/delivery/admit.ts builds it).
 */
export const enqueueAlertsScript = defineScript({
  file: lua("enqueue-alerts"),
  keys: [],
  args: ["now", "count"],
  decode(raw) {
    const flat = (raw as ScriptArg[]).map(Number);
    const out: { status: number; rank: number; edit: boolean; jobExists: boolean }[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      out.push({
        status: flat[i] ?? 0,
        rank: flat[i + 1] ?? 0,
        edit: flat[i + 2] === 1,
        jobExists: flat[i + 3] === 1,
      });
    }
    return out;
  },
});

/** mark-delivered.lua's reply. */
export const MARK_CODE = { marked: 1, alreadyDelivered: 0 } as const;

/**
 * Record a post once with its audit entry (mark-delivered.lua); true when this call wrote the
 * marker. The tail is the audit entry (stream and index keys; MAXLEN and fields).
 */
export const markDeliveredScript = defineScript({
  file: lua("mark-delivered"),
  keys: ["delivered", "inflight", "subject", "order", "pending", "stats"],
  args: ["channel", "ts", "at", "alertId", "setSubject", "parentTs", "how", "ttlMs", "stat"],
  decode: (raw) => Number(raw) === MARK_CODE.marked,
});

/**
 * A post's line exit with the pacer's lesson from its success before it, its successor's
 * promotion and the heads after it (exit-post.lua). The tail is the audit entry (stream and
 * index keys; MAXLEN and fields).
 */
export const exitPostScript = defineScript({
  file: lua("exit-post"),
  keys: [
    "delivered",
    "inflight",
    "subject",
    "order",
    "pending",
    "stats",
    "edits",
    "delayed",
    "wait",
    "meta",
    "active",
    "marker",
    "job",
    "events",
    ...LEARN_KEYS,
  ],
  args: [
    "channel",
    "ts",
    "at",
    "alertId",
    "setSubject",
    "parentTs",
    "how",
    "ttlMs",
    "stat",
    "successor",
    "successorJobId",
    ...LEARN_ARGS,
  ],
  decode(raw) {
    const [marked, promoted, postHead, editHead, learned] = raw as [
      number,
      number,
      string,
      string,
      number,
    ];
    return {
      marked: Number(marked) === MARK_CODE.marked,
      promoted: Number(promoted),
      postHead: postHead ? String(postHead) : undefined,
      editHead: editHead ? String(editHead) : undefined,
      learned: Number(learned) === 1,
    };
  },
});

/** promote-front.lua's reply. */
export const PROMOTE_CODE = { fromDelayed: 1, withinWait: 2, neither: 0 } as const;

/** Move a due job to the front of BullMQ's wait list (promote-front.lua). */
export const promoteFrontScript = defineScript({
  file: lua("promote-front"),
  keys: ["delayed", "wait", "meta", "active", "marker", "job", "events"],
  args: ["jobId"],
  decode: (raw) => Number(raw),
});
