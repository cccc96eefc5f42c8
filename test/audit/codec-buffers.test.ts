import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const codec = fileURLToPath(new URL("../../src/audit/codec.ts", import.meta.url));

/**
 * 1,000 entries of about 600 bytes of data each, deflated then inflated, with no garbage
 * collection in between (young generation large enough): what `arrayBuffers` grows by is what
 * the buffers zlib hands back hold until a collection. Run in its own process, so nothing else
 * allocates meanwhile.
 */
const SCRIPT = `
import { decodeFields, encodeFields } from ${JSON.stringify(codec)};
const ab = () => process.memoryUsage().arrayBuffers;
const data = (i) => ({ alert: { kind: "record.new", entity: "payment", subject: "payment:T:100::PAY-" + i,
  record: { entity: "payment", supplierName: "Supplier " + i, reference: "PAY-" + i, note: "x".repeat(400) } } });
const written = [];
globalThis.gc();
const start = ab();
for (let i = 0; i < 1000; i++) written.push(encodeFields({ type: "alert.stored", atMs: 1, alertId: "a" + i, data: data(i) }));
const encoded = ab();
let n = 0;
for (const f of written) n += decodeFields("1-0", f.map((v) => Buffer.from(v))).data ? 1 : 0;
const decoded = ab();
process.stdout.write(JSON.stringify({ n, deflate: encoded - start, inflate: decoded - encoded }));
`;

describe("audit data through zlib", () => {
  it("holds about its own size in buffers per entry, not zlib's 16 KiB output chunks", () => {
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", "--min-semi-space-size=64", "--input-type=module", "-e", SCRIPT],
      { encoding: "utf8" },
    );
    const { n, deflate, inflate } = JSON.parse(out) as Record<string, number>;
    expect(n).toBe(1000);
    // Entries, copies and Buffer pools: a few kB each at most (16 KiB chunks: over 16 MB).
    expect(deflate).toBeLessThan(4 * 2 ** 20);
    expect(inflate).toBeLessThan(4 * 2 ** 20);
  });
});
