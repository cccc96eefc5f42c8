import { describe, expect, it } from "vitest";
import { lookAfterFailure, lookupDueAt } from "../../src/delivery/ambiguity.ts";

const s = { requestTimeoutMs: 10_000, graceMs: 60_000 };

describe("when a lost send may be looked for", () => {
  it("nobody answered (timeout, reset, a gateway's 502/504): the grace after the client gave up", () => {
    expect(lookAfterFailure({ kind: "ambiguous", reason: "request_error" }, 1_000, s)).toBe(61_000);
  });

  it("the server answered (500, 503): its request is over, at once", () => {
    const outcome = { kind: "ambiguous", reason: "http_503", answered: true } as const;
    expect(lookAfterFailure(outcome, 1_000, s)).toBe(1_000);
  });

  it("a settled attempt is looked for when its failure said", () => {
    expect(lookupDueAt({ channel: "C1", since: 0, mode: "post", lookAfter: 5_000 }, s)).toBe(5_000);
  });

  it("no outcome recorded (worker killed mid-call): its timeout and the grace after the attempt", () => {
    expect(lookupDueAt({ channel: "C1", since: 2_000, mode: "post" }, s)).toBe(72_000);
  });
});
