import { describe, expect, it } from "vitest";
import { readAhead } from "../../src/infor/read-ahead.ts";

async function* pages(log: string[], n: number, failAt?: number) {
  try {
    for (let i = 1; i <= n; i++) {
      log.push(`fetch ${i}`);
      await new Promise((r) => setTimeout(r, 5));
      if (i === failAt) throw new Error(`page ${i} failed`);
      yield i;
    }
  } finally {
    log.push("closed");
  }
}

describe("readAhead", () => {
  it("keeps order and fetches the next page while the caller works on this one", async () => {
    const log: string[] = [];
    const got: number[] = [];
    for await (const p of readAhead(pages(log, 3))) {
      log.push(`work ${p}`);
      got.push(p);
    }
    expect(got).toEqual([1, 2, 3]);
    // Page 2 is requested before the caller starts working on page 1.
    expect(log.indexOf("fetch 2")).toBeLessThan(log.indexOf("work 1"));
    expect(log).toContain("closed");
  });

  it("surfaces an error in order", async () => {
    const got: number[] = [];
    const run = async () => {
      for await (const p of readAhead(pages([], 5, 3))) got.push(p);
    };
    await expect(run()).rejects.toThrow("page 3 failed");
    expect(got).toEqual([1, 2]);
  });

  it("stopping early closes the source without an unhandled rejection", async () => {
    const log: string[] = [];
    for await (const p of readAhead(pages(log, 5, 2))) {
      if (p === 1) break; // page 2's prefetch fails after we stopped
    }
    expect(log).toContain("fetch 2");
    await new Promise((r) => setTimeout(r, 20));
  });
});

describe("readAhead's arrival hook", () => {
  it("sees the next page arrive while the caller still works on this one; its errors change nothing", async () => {
    const log: string[] = [];
    const got: number[] = [];
    const hook = (p: number) => {
      log.push(`arrived ${p}`);
      if (p === 2) throw new Error("hint failed");
    };
    for await (const p of readAhead(pages(log, 3), hook)) {
      await new Promise((r) => setTimeout(r, 20));
      log.push(`work ${p} done`);
      got.push(p);
    }
    expect(got).toEqual([1, 2, 3]);
    expect(log.indexOf("arrived 2")).toBeLessThan(log.indexOf("work 1 done"));
    expect(log.indexOf("arrived 3")).toBeLessThan(log.indexOf("work 2 done"));
  });
});
