import { randomBytes } from "node:crypto";

/** Opaque bearer tokens (ION tokens are opaque to clients; never assume a JWT). */
export interface TokenRecord {
  token: string;
  tenant: string;
  kind: "access" | "refresh";
  /** Epoch ms on the sim clock; Infinity = never. */
  expiresAt: number;
  revoked: boolean;
  /** Sim time of the revocation. */
  revokedAt?: number;
  /** For an access token: the refresh token it belongs to. */
  parent?: string;
}

export interface IssuedTokens {
  access: TokenRecord;
  refresh?: TokenRecord;
}

export type TokenCheck = "ok" | "missing" | "unknown" | "expired" | "revoked" | "wrong_tenant";

/** A dead token (expired or revoked) still answers "expired"/"revoked" for this long. */
export const KEEP_DEAD_MS = 3_600_000;
/** Below this many tokens nothing is swept (a sweep walks them all). */
const SWEEP_ABOVE = 1_000;

export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();

  get size(): number {
    return this.tokens.size;
  }

  /** Forgets tokens dead for longer than KEEP_DEAD_MS: a long run's memory stays bounded. */
  private sweep(now: number): void {
    if (this.tokens.size <= SWEEP_ABOVE) return;
    for (const [token, record] of this.tokens) {
      const deadSince = Math.min(record.expiresAt, record.revokedAt ?? Number.POSITIVE_INFINITY);
      if (now - deadSince > KEEP_DEAD_MS) this.tokens.delete(token);
    }
  }

  issue(
    tenant: string,
    now: number,
    lifetimeSeconds: number,
    refresh?: { existing?: TokenRecord; lifetimeSeconds: number },
  ): IssuedTokens {
    this.sweep(now);
    let refreshRecord = refresh?.existing;
    if (refresh && !refreshRecord) {
      refreshRecord = {
        token: randomBytes(24).toString("base64url"),
        tenant,
        kind: "refresh",
        expiresAt:
          refresh.lifetimeSeconds > 0
            ? now + refresh.lifetimeSeconds * 1000
            : Number.POSITIVE_INFINITY,
        revoked: false,
      };
      this.tokens.set(refreshRecord.token, refreshRecord);
    }
    const access: TokenRecord = {
      token: randomBytes(24).toString("base64url"),
      tenant,
      kind: "access",
      expiresAt: now + lifetimeSeconds * 1000,
      revoked: false,
      ...(refreshRecord ? { parent: refreshRecord.token } : {}),
    };
    this.tokens.set(access.token, access);
    return refreshRecord ? { access, refresh: refreshRecord } : { access };
  }

  get(token: string): TokenRecord | undefined {
    return this.tokens.get(token);
  }

  check(
    token: string | undefined,
    tenant: string,
    kind: TokenRecord["kind"],
    now: number,
  ): TokenCheck {
    if (!token) return "missing";
    const record = this.tokens.get(token);
    if (!record || record.kind !== kind) return "unknown";
    if (record.tenant !== tenant) return "wrong_tenant";
    if (record.revoked) return "revoked";
    if (record.expiresAt <= now) return "expired";
    return "ok";
  }

  /** Revoking a refresh token also revokes its access tokens (ion-api-sdk README). */
  revoke(token: string, now: number): boolean {
    const record = this.tokens.get(token);
    if (!record) return false;
    const kill = (r: TokenRecord) => {
      r.revoked = true;
      r.revokedAt ??= now;
    };
    kill(record);
    if (record.kind === "refresh") {
      for (const other of this.tokens.values()) if (other.parent === token) kill(other);
    }
    return true;
  }

  /**
   * A rotated refresh token stops working; the access tokens issued under it live on until they
   * expire (only an explicit revoke takes them down, ion-api-sdk README).
   */
  retire(token: string, now: number): void {
    const record = this.tokens.get(token);
    if (record?.kind !== "refresh") return;
    record.revoked = true;
    record.revokedAt ??= now;
  }

  /** Expires one access token, or every access token, at `now`. */
  expire(now: number, token?: string): number {
    let n = 0;
    for (const record of this.tokens.values()) {
      if (record.kind !== "access" || (token && record.token !== token)) continue;
      record.expiresAt = Math.min(record.expiresAt, now);
      n++;
    }
    return n;
  }

  clear(): void {
    this.tokens.clear();
  }
}
