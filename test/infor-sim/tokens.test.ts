import { describe, expect, it } from "vitest";
import { TokenStore } from "../../sandbox/infor-sim/gateway/tokens.ts";

describe("infor-sim token store", () => {
  it("forgets tokens long expired, so a long run's memory stays bounded", () => {
    const store = new TokenStore();
    const hour = 3_600_000;
    let now = 0;
    for (let i = 0; i < 5_000; i++) {
      store.issue("T", now, 60);
      now += 60_000;
    }
    // 5,000 sign-ins a minute apart with 60 s tokens: only the last hour's can matter.
    expect(store.size).toBeLessThanOrEqual(2 * 60 + 1_000);
    const recent = store.issue("T", now, 60);
    expect(store.check(recent.access.token, "T", "access", now + 61_000)).toBe("expired");
    expect(store.check(recent.access.token, "T", "access", now + hour)).toBe("expired");
  });

  it("forgets revoked refresh tokens that never expire once they are long dead", () => {
    const store = new TokenStore();
    let now = 0;
    for (let i = 0; i < 3_000; i++) {
      const t = store.issue("T", now, 60, { lifetimeSeconds: 0 });
      store.revoke(t.refresh?.token ?? "", now);
      now += 60_000;
    }
    expect(store.size).toBeLessThanOrEqual(2 * (60 + 1_000));
    const live = store.issue("T", now, 60, { lifetimeSeconds: 0 });
    expect(store.check(live.refresh?.token, "T", "refresh", now + 10 * 3_600_000)).toBe("ok");
  });
});
