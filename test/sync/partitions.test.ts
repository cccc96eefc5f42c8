import { describe, expect, it } from "vitest";
import { inPartitions } from "../../src/sync/partitions.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("inPartitions", () => {
  it("keeps each partition in order, runs partitions side by side, at most `limit` at once", async () => {
    const items = ["a1", "b1", "a2", "c1", "b2", "a3", "d1", "c2"];
    const done: string[] = [];
    let running = 0;
    let most = 0;
    await inPartitions(
      items,
      (i) => i[0] ?? "",
      2,
      async (i) => {
        running++;
        most = Math.max(most, running);
        await tick();
        done.push(i);
        running--;
      },
    );
    expect([...done].sort()).toEqual([...items].sort());
    for (const p of ["a", "b", "c"]) {
      expect(done.filter((i) => i.startsWith(p))).toEqual(items.filter((i) => i.startsWith(p)));
    }
    expect(most).toBe(2);
  });

  it("starts nothing after a failure, lets the lanes under way finish, throws the first error", async () => {
    const started: string[] = [];
    let running = 0;
    const run = inPartitions(
      ["a1", "b1", "a2", "c1", "d1"],
      (i) => i[0] ?? "",
      2,
      async (i) => {
        started.push(i);
        running++;
        await tick();
        running--;
        if (i === "b1") throw new Error("boom");
      },
    );
    await expect(run).rejects.toThrow("boom");
    expect(running).toBe(0);
    // a1 and b1 start together; b1 fails while a's lane goes on to a2: c and d never start.
    expect(started).not.toContain("c1");
    expect(started).not.toContain("d1");
  });

  it("with a limit of 1 is page order", async () => {
    const done: string[] = [];
    await inPartitions(
      ["x", "y", "z"],
      (i) => i,
      1,
      async (i) => {
        done.push(i);
      },
    );
    expect(done).toEqual(["x", "y", "z"]);
  });
});
