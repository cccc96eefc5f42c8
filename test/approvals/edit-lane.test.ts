import { describe, expect, it } from "vitest";
import { createEditLane } from "../../src/approvals/edit-lane.ts";

const tick = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe("edit lane", () => {
  it("runs one key's edits one after another, other keys beside them, at most `limit` at once", async () => {
    const lane = createEditLane(3, () => {});
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const edit = (name: string, ms: number) => async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      log.push(`start ${name}`);
      await tick(ms);
      log.push(`end ${name}`);
      inFlight--;
    };
    // Two lines of one invoice (record A) and one of another (B).
    await lane.enter("A", edit("A1", 30));
    await lane.enter("A", edit("A2", 5));
    await lane.enter("B", edit("B1", 5));
    await lane.drain();
    // A2 started only after A1 ended; B1 did not wait for A1.
    expect(log.indexOf("start A2")).toBeGreaterThan(log.indexOf("end A1"));
    expect(log.indexOf("end B1")).toBeLessThan(log.indexOf("end A1"));
    expect(most).toBeLessThanOrEqual(3);
  });

  it("a failed edit is reported and does not stop the next of its key", async () => {
    const errors: unknown[] = [];
    const lane = createEditLane(2, (err) => errors.push(err));
    let ran = false;
    await lane.enter("A", async () => {
      throw new Error("chat.update failed");
    });
    await lane.enter("A", async () => {
      ran = true;
    });
    await lane.drain();
    expect(errors).toHaveLength(1);
    expect(ran).toBe(true);
  });

  it("holds the caller while the lane is full", async () => {
    const lane = createEditLane(1, () => {});
    let entered = false;
    await lane.enter("A", () => tick(30));
    const second = lane
      .enter("B", async () => {})
      .then(() => {
        entered = true;
      });
    await tick(5);
    expect(entered).toBe(false);
    await second;
    await lane.drain();
    expect(entered).toBe(true);
  });
});
