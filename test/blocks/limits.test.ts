import { describe, expect, it } from "vitest";
import {
  capBlocks,
  charLength,
  checkMessage,
  chunkLines,
  fitLines,
  LIMITS,
  splitMessage,
  truncate,
} from "../../src/slack/blocks/limits.ts";
import type { Block } from "../../src/slack/blocks/types.ts";

describe("truncate", () => {
  it.each([
    ["short", 10, "short"],
    ["exactly10!", 10, "exactly10!"],
    ["eleven chars", 10, "eleven ch…"],
    ["anything", 0, ""],
    ["😀😀😀😀", 3, "😀😀…"],
  ])("truncate(%j, %i) = %j", (input, max, expected) => {
    expect(truncate(input, max)).toBe(expected);
    expect(charLength(truncate(input, max))).toBeLessThanOrEqual(max);
  });
});

describe("fitLines", () => {
  it("keeps all lines that fit", () => {
    expect(fitLines(["a", "b"], 10)).toBe("a\nb");
  });
  it("ends with 'and N more' when 200 lines do not fit, and stays within the limit", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    const out = fitLines(lines, LIMITS.sectionText);
    expect(charLength(out)).toBeLessThanOrEqual(LIMITS.sectionText);
    const kept = out.split("\n").length - 1;
    expect(out).toMatch(new RegExp(`and ${200 - kept} more`));
  });
  it("truncates one over-long line", () => {
    expect(charLength(fitLines(["y".repeat(5000)], 100))).toBe(100);
  });
});

describe("chunkLines", () => {
  it("spreads lines over chunks each within the limit and loses none", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`.padEnd(50, "."));
    const chunks = chunkLines(lines, 3000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(charLength(c)).toBeLessThanOrEqual(3000);
    expect(chunks.join("\n").split("\n")).toEqual(lines);
  });
});

describe("blocks count", () => {
  const many: Block[] = Array.from({ length: 120 }, () => ({ type: "divider" }) as const);
  it("capBlocks keeps 50 and says how many were left out", () => {
    const capped = capBlocks(many);
    expect(capped).toHaveLength(50);
    expect(JSON.stringify(capped.at(-1))).toContain("and 71 more");
  });
  it("splitMessage splits into messages of at most 50 blocks, each with fallback text", () => {
    const parts = splitMessage({ text: "digest", blocks: many });
    expect(parts.map((p) => p.blocks.length)).toEqual([50, 50, 20]);
    expect(parts.every((p) => p.text.length > 0)).toBe(true);
  });
});

describe("checkMessage", () => {
  it.each<[string, { text: string; blocks: Block[] }, string | undefined]>([
    ["ok", { text: "hi", blocks: [{ type: "divider" }] }, undefined],
    ["empty fallback", { text: " ", blocks: [] }, "required"],
    [
      "long header",
      {
        text: "x",
        blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }],
      },
      "headerText",
    ],
    [
      "11 fields",
      {
        text: "x",
        blocks: [
          {
            type: "section",
            fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn" as const, text: "f" })),
          },
        ],
      },
      "sectionFields",
    ],
    [
      "long section",
      {
        text: "x",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "s".repeat(3001) } }],
      },
      "sectionText",
    ],
  ])("%s", (_name, message, limit) => {
    const violations = checkMessage(message);
    if (limit === undefined) expect(violations).toEqual([]);
    else expect(violations.map((v) => v.limit)).toContain(limit);
  });
});
