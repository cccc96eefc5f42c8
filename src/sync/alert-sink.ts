import { type Alert, createAlert, hashParts } from "../alerts/alert.ts";
import type { AuditInput } from "../audit/types.ts";
import type { CanonicalRecord } from "../infor/records.ts";
import { describeKey, toAlertChanges } from "./describe.ts";
import { pollKeyId } from "./keys.ts";
import type { NoiseGate } from "./noise-gate.ts";
import { inPartitions } from "./partitions.ts";
import type { ChangeBatch, ChangeEvent, OpsNotice, QuarantineBatch, SyncSink } from "./sink.ts";

export interface AlertSinkDeps {
  /** Delivery's `enqueue`: stores the alert in the audit log, then queues it (paced). */
  enqueue: (alert: Alert) => Promise<void>;
  /**
   * Delivery's `enqueueMany`: `enqueue` for several alerts in order, in a few round trips. With
   * it, a batch's alerts are queued in groups (`enqueueGroup`) while the batch is handled, each
   * group once the one before is queued, all of them before `deliver` returns (durable before
   * the versions are saved, as one by one). With a noise gate, only alerts it posts as they are
   * (`mode`) join a group; one it may roll into a period summary waits for the groups before it.
   */
  enqueueMany?: (alerts: readonly Alert[]) => Promise<void>;
  /** Alerts per `enqueueMany` call (default 50). */
  enqueueGroup?: number;
  /** The audit log (shadow records, quarantined rows). */
  audit: { append(input: AuditInput): Promise<string> };
  opsChannel: string;
  /** Channel for events that arrive without a route (no routing policy wired). */
  defaultChannel: string;
  clock?: () => Date;
  /**
   * Further alerts for a changed record, e.g. 3-way match exceptions from src/rules. Returned
   * alerts are enqueued (live) or audited as shadow, like the record's own.
   */
  extraAlerts?: (event: ChangeEvent, context: { shadow: boolean }) => Alert[] | Promise<Alert[]>;
  /**
   * Wraps the handling of one batch's events (e.g. the pipeline's `batchScope`, which reads the
   * batch's purchase orders in a few set-based reads before the events are handled one by one).
   */
  batchScope?: <T>(events: readonly ChangeEvent[], run: () => Promise<T>) => Promise<T>;
  /**
   * The sink's `prefetch` hint (sink.ts): records of a page that arrived early, e.g. the
   * pipeline's `prefetch`, which starts reading their POs while the page before is handled.
   */
  prefetch?: (records: readonly CanonicalRecord[]) => void;
  /**
   * The destination's renderer (e.g. Slack's `alertMessage`). In shadow mode each alert is
   * rendered and the result audited, so a trial run also proves the messages would be valid.
   */
  render?: (alert: Alert) => unknown;
  /** routing.yml `noise`: record alerts posted, left out, or rolled into a period summary. */
  noise?: NoiseGate;
  /**
   * Which events of a page depend on each other (e.g. the pipeline's `partitionOf`: one supplier's
   * invoices and POs). Events of one partition are handled in page order; with `concurrency` > 1,
   * different partitions side by side, so a page costs about its longest partition's Redis round
   * trips instead of the sum of all (bench/scenarios/pipeline.ts). Without it: one at a time.
   */
  partitionOf?: (event: ChangeEvent) => string;
  /** Partitions handled at once (default 1: page order throughout). */
  concurrency?: number;
}

/** How many quarantined rows an ops report names; the rest are counted. */
const OPS_EXAMPLES = 5;

/**
 * The sync engine's sink on top of delivery and audit: change events become destination-neutral
 * record alerts (updates of a record share its message: same subject), shadow mode audits what
 * would have been posted, quarantine and poll health go to the ops channel.
 */
export function createAlertSink(deps: AlertSinkDeps): SyncSink {
  const clock = deps.clock ?? (() => new Date());

  async function opsAlert(
    key: { tenant: string; entity: string },
    subject: string,
    version: string,
    ops: { code: string; message: string; count?: number; examples?: string[] },
  ) {
    await deps.enqueue(
      createAlert({
        kind: "ops",
        tenant: key.tenant,
        entity: key.entity,
        recordKey: subject,
        contentVersion: version,
        channel: deps.opsChannel,
        ops,
        createdAt: clock(),
      }),
    );
  }

  async function deliverEvents(batch: ChangeBatch): Promise<void> {
    const many = deps.enqueueMany;
    const gate = deps.noise;
    const queued = many && !batch.shadow && (!gate || gate.mode) ? grouped(many) : undefined;
    const handOver = queued
      ? async (a: Alert) => {
          const mode = gate?.mode?.(a) ?? "post";
          if (mode === "post") return queued.add(a);
          // A period summary is enqueued by the gate itself: everything handed over before it
          // goes first, as one by one.
          if (mode === "digest") await queued.flush();
          await handleAlert(batch, a);
        }
      : undefined;
    const one = (event: ChangeEvent) => deliverEvent(batch, event, handOver);
    const limit = deps.concurrency ?? 1;
    try {
      if (!deps.partitionOf || limit <= 1) {
        for (const event of batch.events) await one(event);
      } else {
        await inPartitions(batch.events, deps.partitionOf, limit, one);
      }
    } finally {
      // Every alert handed over is queued (or its failure thrown) before the batch is done.
      await queued?.flush();
    }
  }

  /**
   * Alerts gathered in the order they were handed over and queued a group at a time, each group
   * after the one before (the order of the lines is the order of the calls).
   */
  function grouped(many: (alerts: readonly Alert[]) => Promise<void>) {
    const size = deps.enqueueGroup ?? 50;
    let pending: Alert[] = [];
    let chain: Promise<void> = Promise.resolve();
    let failed: { error: unknown } | undefined;
    const send = () => {
      if (pending.length === 0) return;
      const group = pending;
      pending = [];
      chain = chain.then(async () => {
        if (failed) return;
        try {
          await many(group);
        } catch (error) {
          failed = { error };
        }
      });
    };
    return {
      add(alert: Alert): void {
        // A failed group fails the batch: nothing after it is queued (the page is read again).
        if (failed) throw failed.error;
        pending.push(alert);
        if (pending.length >= size) send();
      },
      async flush(): Promise<void> {
        send();
        await chain;
        if (failed) throw failed.error;
      },
    };
  }

  async function deliverEvent(
    batch: ChangeBatch,
    event: ChangeEvent,
    queue?: (alert: Alert) => Promise<void> | void,
  ): Promise<void> {
    const alert = createAlert({
      kind: event.kind === "new" ? "record.new" : "record.updated",
      record: event.record,
      recordKey: event.recordKey,
      contentVersion: event.contentVersion,
      channel: event.route?.channel ?? deps.defaultChannel,
      ...(event.route?.costCenter ? { costCenter: event.route.costCenter } : {}),
      ...(event.route?.note ? { routeNote: event.route.note } : {}),
      ...(event.kind === "updated" ? { changes: toAlertChanges(event.changes) } : {}),
      createdAt: clock(),
    });
    // The record's own alert is handled while the rules look at the record (their Redis work and
    // its admission were waits in a row on the page's serial path); the rules' alerts only after
    // it, so they still follow it in its channel's line and in the audit log.
    if (queue) {
      // Grouped: handed over in this order (the record's own first), queued with the group.
      const [, extra] = await Promise.all([
        queue(alert),
        deps.extraAlerts ? deps.extraAlerts(event, { shadow: false }) : [],
      ]);
      for (const a of extra) await queue(a);
      return;
    }
    const [, extra] = await Promise.all([
      handleAlert(batch, alert),
      deps.extraAlerts ? deps.extraAlerts(event, { shadow: batch.shadow }) : [],
    ]);
    for (const a of extra) await handleAlert(batch, a);
  }

  /** An alert not posted, in the audit log with why and what it was. */
  function auditSkipped(a: Alert, reason: string, more: Record<string, unknown>): Promise<string> {
    return deps.audit.append({
      type: "skipped",
      alertId: a.id,
      recordKey: a.recordKey,
      channel: a.channel,
      data: { reason, kind: a.kind, ...more, alert: a },
    });
  }

  async function handleAlert(batch: ChangeBatch, a: Alert): Promise<void> {
    if (batch.shadow) {
      const rendered = deps.render ? deps.render(a) : undefined;
      await auditSkipped(a, "shadow", {
        mode: batch.mode,
        ...(rendered === undefined ? {} : { rendered }),
      });
    } else if (deps.noise) {
      const outcome = await deps.noise.pass(a, deps.enqueue);
      if (outcome.action === "post") await deps.enqueue(a);
      else {
        // Audited with why it was not posted, as shadow mode audits what it would have posted.
        await auditSkipped(
          a,
          outcome.action === "digest" ? "noise:digest" : `noise:${outcome.mode}`,
          outcome.action === "digest" ? { summaryId: outcome.summary.id } : {},
        );
      }
    } else {
      await deps.enqueue(a);
    }
  }

  const prefetch = deps.prefetch;
  return {
    ...(prefetch && deps.extraAlerts
      ? { prefetch: (batch: { records: readonly CanonicalRecord[] }) => prefetch(batch.records) }
      : {}),
    async deliver(batch) {
      if (deps.batchScope && deps.extraAlerts && batch.events.length > 0) {
        await deps.batchScope(batch.events, () => deliverEvents(batch));
      } else {
        await deliverEvents(batch);
      }
    },

    async quarantine(batch: QuarantineBatch) {
      for (const item of batch.items) {
        await deps.audit.append({
          type: "ops",
          ...(item.ref ? { recordKey: item.ref } : {}),
          data: {
            code: "record_quarantined",
            poll: pollKeyId(batch.key),
            reason: item.reason,
            fingerprint: item.fingerprint,
            raw: item.raw,
          },
        });
      }
      const n = batch.items.length;
      await opsAlert(
        batch.key,
        `quarantine:${pollKeyId(batch.key)}`,
        hashParts(batch.items.map((i) => i.fingerprint)),
        {
          code: "records_quarantined",
          message:
            `${n} ${n === 1 ? "record" : "records"} of ${describeKey(batch.key)} failed ` +
            "validation and were set aside (audited with the reason); the rest of the batch went on.",
          count: n,
          examples: batch.items
            .slice(0, OPS_EXAMPLES)
            .map((i) => `${i.ref ?? "(no id)"}: ${i.reason}`),
        },
      );
    },

    async ops(notice: OpsNotice) {
      const what = describeKey(notice.key);
      if (notice.kind === "poll_failing") {
        await opsAlert(
          notice.key,
          `poll:${pollKeyId(notice.key)}`,
          `failing:${notice.failingSince}`,
          {
            code: "poll_failing",
            message:
              `Polling ${what} has failed ${notice.consecutiveFailures} times in a row since ` +
              `${notice.failingSince} (${notice.errorCode}` +
              `${notice.errorMessage ? `: ${notice.errorMessage}` : ""}). Retrying with backoff; the ` +
              "watermark holds, so nothing is lost.",
            count: notice.consecutiveFailures,
          },
        );
      } else {
        await opsAlert(
          notice.key,
          `poll:${pollKeyId(notice.key)}`,
          `recovered:${notice.failingSince}`,
          {
            code: "poll_recovered",
            message:
              `Polling ${what} works again at ${notice.recoveredAt} after ${notice.failures} ` +
              `failed attempts since ${notice.failingSince}; it caught up from the held watermark.`,
            count: notice.failures,
          },
        );
      }
    },
  };
}
