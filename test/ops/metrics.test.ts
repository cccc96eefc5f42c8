import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/ops/metrics.ts";
import { metricsRoute, startOpsServer } from "../../src/ops/routes.ts";
import { httpRequest } from "./helpers.ts";

const SERIES = [
  "cloudsuite_polls_total",
  "cloudsuite_records_total",
  "cloudsuite_alerts_total",
  "cloudsuite_slack_posts_total",
  "cloudsuite_rate_limited_total",
  "cloudsuite_queue_depth",
  "cloudsuite_queue_oldest_age_seconds",
  "cloudsuite_delivery_lag_seconds",
  "cloudsuite_ion_token_refreshes_total",
  "cloudsuite_approvals_total",
  "cloudsuite_dead_letters_total",
  "cloudsuite_slack_signature_rejections_total",
  "cloudsuite_bod_requests_total",
  "cloudsuite_bod_records_total",
];

describe("metrics", () => {
  it("exposes every named series and the process metrics on GET /metrics", async () => {
    let snapshots = 0;
    const m = createMetrics({
      defaultLabels: { role: "all" },
      queueSnapshot: async () => {
        snapshots++;
        return [
          { queue: "delivery", depth: 7, oldestAgeSeconds: 42 },
          { queue: "sync", depth: 0, oldestAgeSeconds: 0 },
        ];
      },
    });
    m.polls.inc({ entity: "supplier_invoice", outcome: "ok" });
    m.records.inc({ entity: "supplier_invoice", outcome: "new" }, 3);
    m.alerts.inc({ kind: "price_variance" });
    m.posts.inc({ outcome: "posted" });
    m.rateLimited.inc({ side: "slack" });
    m.rateLimited.inc({ side: "ion" });
    m.deliveryLag.observe({ destination: "slack" }, 1.5);
    m.tokenRefreshes.inc({ outcome: "ok" });
    m.approvals.inc({ outcome: "approved" });
    m.deadLetters.inc({ reason: "channel_not_found" });
    m.slackSignatureRejections.inc();
    m.bodRequests.inc({ outcome: "accepted" });
    m.bodRecords.inc({ entity: "supplier" });

    const server = await startOpsServer([metricsRoute(m.registry)], { host: "127.0.0.1", port: 0 });
    try {
      const res = await httpRequest(server.port, { path: "/metrics" });
      expect(res.status).toBe(200);
      expect(String(res.headers["content-type"])).toContain("text/plain");
      for (const name of SERIES) expect(res.text).toContain(`# TYPE ${name} `);
      expect(res.text).toContain('cloudsuite_queue_depth{queue="delivery",role="all"} 7');
      expect(res.text).toContain(
        'cloudsuite_queue_oldest_age_seconds{queue="delivery",role="all"} 42',
      );
      expect(res.text).toContain('cloudsuite_rate_limited_total{side="ion",role="all"} 1');
      expect(res.text).toContain(
        'cloudsuite_records_total{entity="supplier_invoice",outcome="new",role="all"} 3',
      );
      expect(res.text).toContain(
        'cloudsuite_delivery_lag_seconds_bucket{le="2",role="all",destination="slack"} 1',
      );
      expect(res.text).toContain("cloudsuite_process_cpu_user_seconds_total");
      expect(res.text).toContain("cloudsuite_nodejs_eventloop_lag_seconds");
      // Both queue gauges came from one read of the queues.
      expect(snapshots).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("keeps the scrape working when the queues cannot be read, without stale values", async () => {
    let fail = false;
    const m = createMetrics({
      defaultMetrics: false,
      queueSnapshot: async () => {
        if (fail) throw new Error("redis down");
        return [{ queue: "delivery", depth: 5, oldestAgeSeconds: 9 }];
      },
    });
    expect(await m.registry.metrics()).toContain('cloudsuite_queue_depth{queue="delivery"} 5');
    fail = true;
    await new Promise((r) => setTimeout(r, 1100));
    const text = await m.registry.metrics();
    expect(text).not.toContain('cloudsuite_queue_depth{queue="delivery"}');
    expect(text).toContain("cloudsuite_polls_total");
  });

  it("gives each app its own registry", () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.polls.inc({ entity: "payment", outcome: "ok" });
    expect(a.registry).not.toBe(b.registry);
  });
});
