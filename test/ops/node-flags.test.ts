import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NODE_FLAGS } from "../../src/ops/node-flags.ts";

const root = new URL("../../", import.meta.url);

/** Objects that outlive a few scavenges: what makes V8 grow its young generation. */
const CHURN = `
const { getHeapSpaceStatistics } = require("node:v8");
const ring = new Array(300000);
let max = 0;
for (let i = 0; i < 6000000; i++) {
  ring[i % ring.length] = { i, s: "v" + i };
  if (i % 100000 === 0) {
    const n = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
    max = Math.max(max, n ? n.space_size : 0);
  }
}
process.stdout.write(String(max));
`;

describe("V8 flags of the app's processes", () => {
  it("are the ones the image and npm start run with", () => {
    const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(
      readFileSync(new URL("Dockerfile", root), "utf8"),
    );
    const argv = JSON.parse(entrypoint?.[1] ?? "[]") as string[];
    expect(argv[0]).toBe("node");
    expect(argv.slice(1, 1 + NODE_FLAGS.length)).toEqual(NODE_FLAGS);
    const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe(`node ${NODE_FLAGS.join(" ")} src/cli.ts serve`);
  });

  it("keep the young generation at two 16 MiB semi-spaces however large the host", () => {
    const max = Number(execFileSync(process.execPath, [...NODE_FLAGS, "-e", CHURN]));
    expect(max).toBeGreaterThan(0);
    // Two 16 MiB semi-spaces, plus a page or two V8 may hold while it grows (35.75 MiB was seen
    // once under load); without the flag this host reaches 128 MiB.
    expect(max).toBeLessThanOrEqual(40 * 2 ** 20);
  });
});
