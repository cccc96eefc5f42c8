import { describe, expect, it } from "vitest";
import { approvalIdOf } from "../../src/slack/actions/modal-metadata.ts";

describe("approvalIdOf", () => {
  it("reads the id a decision modal was opened with", () => {
    expect(approvalIdOf(JSON.stringify({ id: "appr:ACME:1" }))).toBe("appr:ACME:1");
  });

  it.each([
    ["not JSON", "{id:"],
    ["JSON null", "null"],
    ["no id", "{}"],
    ["an empty id", '{"id":""}'],
    ["a numeric id", '{"id":7}'],
    ["an empty string", ""],
  ])("finds no approval in %s", (_, raw) => {
    expect(approvalIdOf(raw)).toBeUndefined();
  });
});
