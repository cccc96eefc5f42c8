import { type DecisionDeps, type DecisionOutcome, decide, precheck } from "./decide.ts";
import { type Approval, isOpen } from "./types.ts";

/**
 * A decision on a whole invoice whose message lists several exception lines, each with its own
 * approval: every line still open is decided, lines already decided keep their decision.
 *
 * All or nothing before anything moves: each open line is checked first (authority per amount
 * band, segregation of duties); one refusal refuses the invoice decision and names the line
 * (decide the others one by one). Then the first open line's decision goes through the ERP as
 * the invoice's (CMS740MI approve / reject of the whole invoice where the tenant runs M3's flow,
 * or the invoice's own route); when M3 refuses or has decided already, nothing else moves. The
 * other lines follow in Slack only: M3 decided the invoice as a whole with the first.
 */
export type DocumentOutcome =
  | { kind: "nothing_open"; already: Approval[] }
  | { kind: "refused"; line: Approval; outcome: DecisionOutcome; already: Approval[] }
  | { kind: "stopped"; outcome: DecisionOutcome; already: Approval[] }
  | { kind: "done"; outcomes: DecisionOutcome[]; already: Approval[] };

export async function decideDocument(
  deps: DecisionDeps,
  input: {
    approvals: readonly Approval[];
    verb: "approve" | "reject";
    actor: string;
    reason?: string;
  },
): Promise<DocumentOutcome> {
  const already = input.approvals.filter((a) => !isOpen(a.state));
  const open = input.approvals.filter((a) => isOpen(a.state));
  if (open.length === 0) return { kind: "nothing_open", already };
  for (const a of open) {
    const checked = await precheck(deps, a.id, input.actor, input.verb);
    if (checked.kind !== "ok") return { kind: "refused", line: a, outcome: checked, already };
  }
  const reason = input.reason ? { reason: input.reason } : {};
  const [first, ...rest] = open;
  if (!first) return { kind: "nothing_open", already };
  const head = await decide(deps, {
    approvalId: first.id,
    verb: input.verb,
    actor: input.actor,
    ...reason,
  });
  if (head.kind !== "done") return { kind: "stopped", outcome: head, already };
  const outcomes: DecisionOutcome[] = [head];
  for (const a of rest) {
    outcomes.push(
      await decide(deps, {
        approvalId: a.id,
        verb: input.verb,
        actor: input.actor,
        ...reason,
        scope: "covered",
      }),
    );
  }
  return { kind: "done", outcomes, already };
}
