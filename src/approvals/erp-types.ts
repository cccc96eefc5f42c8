import type { Approval } from "./types.ts";

/** Per tenant (routing.yml `writeBack.mode`): off = Slack only, shadow = log the call, on = call. */
export type ErpMode = "off" | "shadow" | "on";

export type ErpVerb = "approve" | "reject" | "approve_line";

export interface ErpDecision {
  approval: Approval;
  verb: ErpVerb;
  /** Slack user who decided. */
  actor: string;
  /** ERP user mapped to the actor (routing.yml `erpUsers`), where the route needs one. */
  erpUser?: string;
  reason?: string;
  line?: number;
}

/** What the ERP shows for the document now. */
export type ErpState =
  | { status: "pending" }
  | { status: "approved" | "rejected"; by?: string; detail?: string };

/** The exact call a route would make: logged in shadow mode, audited in every mode. */
export interface ErpCall {
  program: string;
  transaction: string;
  inputs: Record<string, string>;
}

export interface ErpRefusal {
  code: string;
  message: string;
}

/** One way to write a decision for one document (APS450MI, APS110MI, CMS740MI, an IDO update). */
export interface ErpRoute {
  name: string;
  /** Undefined when this route cannot take the verb (e.g. no reject transaction): the reason why. */
  unsupported(verb: ErpVerb): string | undefined;
  describe(d: ErpDecision): ErpCall;
  /**
   * Read the ERP. Throws when it cannot be read. With a line decision: that line's state
   * ("approved" once M3 shows the line approved), else the whole document's.
   */
  state(d?: ErpDecision): Promise<ErpState>;
  /** The write. Throws; `refusal()` / `ambiguous()` classify what it threw. */
  apply(d: ErpDecision): Promise<void>;
  refusal(err: unknown): ErpRefusal | undefined;
  ambiguous(err: unknown): boolean;
}

export type RouteLookup =
  | { ok: true; route: ErpRoute }
  | { ok: false; reason: string }
  | { ok: false; unreadable: true; reason: string };

/** Finds the route for a document (reads the ERP to learn its kind and stage). */
export interface ErpAdapter {
  routeFor(approval: Approval): Promise<RouteLookup>;
}

export type ErpWriteOutcome =
  | { status: "off" }
  | { status: "shadow"; call: ErpCall }
  | { status: "no_route"; reason: string }
  | { status: "written"; route: string; call: ErpCall }
  | { status: "decided_in_erp"; state: "approved" | "rejected"; by?: string; detail?: string }
  | { status: "refused"; code: string; message: string }
  /** M3 may have applied it but could not be read back: nothing recorded; resolved later. */
  | { status: "unknown"; reason: string }
  /** Another worker holds this decision's write right now. */
  | { status: "in_progress" };
