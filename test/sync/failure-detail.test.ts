import { describe, expect, it } from "vitest";
import { statusProvider } from "../../src/app/status.ts";
import { MiBusinessError, MiPartialResultError } from "../../src/infor/errors.ts";
import { createCheckRunner, pollsCheck } from "../../src/ops/checks.ts";
import { statusView } from "../../src/slack/views/status-view.ts";
import type { SyncDeps } from "../../src/sync/deps.ts";
import { errorDetail, SyncError } from "../../src/sync/errors.ts";
import { runPoll } from "../../src/sync/poll.ts";
import { getSyncStatus } from "../../src/sync/sync-status.ts";
import { FakeSource, fileRedis, manualClock, poSchedule, RecordingSink } from "./helpers.ts";

const { redis, prefix } = fileRedis("failure-detail");

/** What M3 answers when the service account's table lacks a column (EXPORTMI QERY). */
const m3Says = () =>
  new MiBusinessError(
    {
      program: "EXPORTMI",
      transaction: "Select",
      message: "Field IDCHID does not exist in CIDMAS",
      field: "QERY",
      errorCode: "XFI0001",
      errorType: "ServerReturnedNOK",
    },
    "req-1",
  );

describe("a failed poll says why, in M3's words", () => {
  it("errorDetail reaches through the sync wrapper to M3's message, field and code", () => {
    const err = new SyncError("sync_source_failed", "reading supplier failed", m3Says());
    expect(errorDetail(err)).toBe(
      "EXPORTMI/Select: Field IDCHID does not exist in CIDMAS (field QERY) [XFI0001]",
    );
    const partial = new MiPartialResultError(
      { program: "PPS200MI", transaction: "LstLine", message: "Designed to fail!" },
      "r",
      [{ PUNO: "1" }],
    );
    expect(errorDetail(partial)).toBe("PPS200MI/LstLine: Designed to fail! after 1 row(s)");
  });

  it("status, ops notice and /readyz carry the message; readiness recovers with the poll", async () => {
    const source = new FakeSource();
    const sink = new RecordingSink();
    const clock = manualClock("2026-12-01T08:00:00Z");
    const deps: SyncDeps = {
      redis,
      prefix,
      sourceFactory: () => source,
      sink,
      clock: clock.now,
      failureThreshold: 2,
    };
    await runPoll(deps, { schedule: poSchedule({ prime: false }) });
    const runner = createCheckRunner();
    const check = pollsCheck(() => getSyncStatus({ redis, prefix }), { threshold: 2, cacheMs: 0 });
    expect(await runner(check)).toMatchObject({ ok: true });

    for (let i = 0; i < 2; i++) {
      source.failures.push(m3Says());
      await expect(runPoll(deps, { schedule: poSchedule() })).rejects.toThrow();
    }
    const [status] = await getSyncStatus({ redis, prefix, clock: clock.now });
    expect(status).toMatchObject({
      lastError: "mi_business",
      lastErrorMessage: expect.stringContaining(
        "Field IDCHID does not exist in CIDMAS (field QERY)",
      ),
    });
    expect(sink.notices[0]).toMatchObject({
      kind: "poll_failing",
      errorCode: "mi_business",
      errorMessage: expect.stringContaining("Field IDCHID does not exist in CIDMAS"),
    });
    const failing = await runner(check);
    expect(failing).toMatchObject({
      ok: false,
      error: "polls_failing",
      detail: {
        threshold: 2,
        failing: [
          {
            consecutiveFailures: 2,
            error: expect.stringContaining("Field IDCHID does not exist in CIDMAS"),
          },
        ],
      },
    });

    // `/infor status`: admins see M3's words under the red poller; others see the red dot only.
    const provider = statusProvider({
      redis,
      prefix,
      syncQueue: { getJobScheduler: async () => undefined } as never,
      delivery: {
        stats: async () => ({ waiting: 0, delayed: 0, active: 0, deadLetters: 0, rateLimited: 0 }),
      } as never,
      clients: new Map(),
    });
    const report = await provider();
    expect(report.entities[0]).toMatchObject({
      ok: false,
      error: expect.stringContaining("Field IDCHID does not exist in CIDMAS (field QERY)"),
    });
    const admin = JSON.stringify(statusView(report, { detailed: true }));
    expect(admin).toContain("Field IDCHID does not exist in CIDMAS");
    expect(JSON.stringify(statusView(report, { detailed: false }))).not.toContain("IDCHID");

    await runPoll(deps, { schedule: poSchedule() });
    expect(await runner(check)).toMatchObject({ ok: true });
    expect((await provider()).entities[0]).not.toHaveProperty("error");
  });
});
