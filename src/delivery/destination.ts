import type { Alert, DigestItem } from "../alerts/alert.ts";
import type { DecisionView } from "../approvals/decisions.ts";
import type { Outcome } from "./outcome.ts";

/**
 * Where delivered alerts go. The engine (queue, per-target lines and pacing, delivered markers,
 * ambiguity resolution, digests, quiet hours, dead letters, replay) is the same for every
 * destination; a destination only renders an alert, sends it, and says what its failures mean.
 *
 * A target is the string in `alert.channel` (a Slack channel id, `webhook:<name>`): the engine
 * keeps one line per target and paces it at the destination's per-target rate. `ref` is what a
 * destination returns for a sent message (Slack's `ts`), kept in the delivered marker.
 */
export interface Destination<M = unknown> {
  /** Short name for logs, audit and keys ("slack", "webhook"). */
  readonly name: string;
  /** Whether this destination delivers to `target` (the first destination that owns it does). */
  owns(target: string): boolean;
  /**
   * A later version of a subject edits its message (`update`) and explains the edit in a thread
   * reply. Without, every alert is a message of its own.
   */
  readonly edits: boolean;
  /** Messages carry approval buttons and decision stamps (the engine asks the approvals side). */
  readonly decisions: boolean;
  /** A flooded target's backlog may be rolled into one digest message. */
  readonly digests: boolean;
  /**
   * Rate limits when they are not the delivery config's (which are Slack's): per target, and the
   * shared cap across this destination's targets, under its own keys (`scope`).
   */
  readonly limits?: DestinationLimits;
  /**
   * Names of the shared method budgets the engine holds after a 429 on a look-up or an edit
   * (`remove`: the delete of a duplicate, with `copies` and `remove` below).
   */
  readonly methods: { update: string; lookup(threadRef?: string): string; remove?: string };

  render(alert: Alert, o: { at: Date; decision?: DecisionView | undefined }): M;
  /** Send a new message; resolves to its ref. `threadRef`: reply under that message. */
  post(i: { target: string; alert: Alert; message: M; threadRef?: string }): Promise<string>;
  /** Replace the message `ref` (idempotent: doing it again is its own check). */
  update(i: { target: string; ref: string; alert: Alert; message: M }): Promise<void>;
  /**
   * After an ambiguous outcome, look for a message carrying the alert id (sent after `since`,
   * epoch ms). Optional: without it the engine sends again with the same alert id, and the
   * receiver's de-duplication by that id is what keeps it once.
   */
  find?(i: FindInput): Promise<string | undefined>;
  /**
   * Every message carrying the alert id sent after `since`, each with whether people did
   * something with it (replies, reactions, an edit such as a decision stamp). Optional, with
   * `remove`: the later check for a second copy after a post that followed a negative look-up.
   */
  copies?(i: FindInput): Promise<Copy[]>;
  /** Delete a message this app sent (a duplicate nobody acted on). */
  remove?(i: { target: string; ref: string }): Promise<void>;
  classify(err: unknown): Outcome;
  /** The failure says the message to edit is gone or no longer editable: post anew. */
  editGone(outcome: Outcome): boolean;
  /** One line of a digest message for an alert rolled into it. */
  digestItem(alert: Alert): DigestItem;
}

export interface FindInput {
  target: string;
  alertId: string;
  /** epoch ms: only messages after this are looked at */
  since: number;
  /** the parent message when the post was a thread reply */
  threadRef?: string;
}

export interface Copy {
  ref: string;
  /** Why people may rely on it ("replies", "reactions", "edited"), or undefined when untouched. */
  touched?: string | undefined;
}

export interface DestinationLimits {
  /** Key scope of the shared cap and method budgets (unique per destination). */
  scope: string;
  perTargetPerSecond: number;
  /** Sends a target may make back to back; unset: learned as for Slack channels. */
  perTargetBurst?: number;
  /** Cap across all this destination's targets. */
  perSecond: number;
}

/** The destination that owns a target, or an error naming it (a routing mistake, not retried). */
export function destinationFor(destinations: readonly Destination[], target: string): Destination {
  const d = destinations.find((x) => x.owns(target));
  if (!d) throw new Error(`no destination delivers to ${target}`);
  return d;
}
