// Fault injection for the Web API. A rule matches by method and/or channel and fires either
// at a rate (probability per matching call) or for the next N matching calls.
//  - "5xx": answer an HTTP error before doing anything (nothing is stored).
//  - "latency": delay the answer by `latencyMs` (the call still happens).
//  - "ambiguous": do the call (the message is stored), then either destroy the connection
//    ("drop") or never answer until the client gives up ("withhold"); or "late": hold the call
//    `lateMs` without answering, then carry it out (stored then, with that moment's ts) and
//    answer if the client is still there. Slack gives no idempotency key and no bound on when a
//    request it accepted is applied: one whose client gave up may still be stored after it.

export type FaultKind = "5xx" | "latency" | "ambiguous";

export interface FaultRule {
  kind: FaultKind;
  method?: string;
  channel?: string;
  /** probability 0..1 per matching call */
  rate?: number;
  /** fire for the next N matching calls, then retire */
  next?: number;
  /** for 5xx; default 503 */
  status?: number;
  /** for latency; real milliseconds */
  latencyMs?: number;
  /** for ambiguous; default "drop" */
  mode?: "drop" | "withhold" | "late";
  /** for ambiguous "late": real milliseconds before the call is carried out; default 1000 */
  lateMs?: number;
}

export interface ActiveFault extends FaultRule {
  id: string;
  fired: number;
}

export interface FaultPlan {
  error?: ActiveFault | undefined;
  latencyMs: number;
  ambiguous?: ActiveFault | undefined;
}

export class FaultInjector {
  private rules: ActiveFault[] = [];
  private seq = 0;
  private readonly random: () => number;

  constructor(random: () => number) {
    this.random = random;
  }

  add(rule: FaultRule): string {
    if (rule.rate === undefined && rule.next === undefined) {
      throw new Error("fault rule needs rate or next");
    }
    this.seq += 1;
    const id = `fault-${this.seq}`;
    this.rules.push({ ...rule, id, fired: 0 });
    return id;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveFault[] {
    return this.rules.map((r) => ({ ...r }));
  }

  private fires(rule: ActiveFault, method: string, channel: string | undefined): boolean {
    if (rule.method !== undefined && rule.method !== method) return false;
    if (rule.channel !== undefined && rule.channel !== channel) return false;
    if (rule.next !== undefined) return rule.fired < rule.next;
    return this.random() < (rule.rate ?? 0);
  }

  /** Decides, once per call, which faults apply; "next N" rules count only when they fire. */
  plan(method: string, channel: string | undefined): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0 };
    for (const rule of this.rules) {
      if (rule.kind === "5xx" && (plan.error || plan.ambiguous)) continue;
      if (rule.kind === "ambiguous" && (plan.ambiguous || plan.error)) continue;
      if (!this.fires(rule, method, channel)) continue;
      rule.fired += 1;
      if (rule.kind === "5xx") plan.error = rule;
      else if (rule.kind === "ambiguous") plan.ambiguous = rule;
      else plan.latencyMs += rule.latencyMs ?? 0;
    }
    this.rules = this.rules.filter((r) => r.next === undefined || r.fired < r.next);
    return plan;
  }
}
