import { MockAgent } from "undici";
import type { Clock } from "../../src/infor/clock.ts";
import { type IonapiCredentials, parseIonapi } from "../../src/infor/ionapi.ts";

export const IONAPI = {
  ti: "ACME_TST",
  cn: "cloudsuite-slack",
  ci: "ACME_TST~clientid123",
  cs: "very-secret-client-secret",
  iu: "https://mingle-ionapi.example.com",
  pu: "https://mingle-sso.example.com:443/ACME_TST/as/",
  oa: "authorization.oauth2",
  ot: "token.oauth2",
  or: "revoke_token.oauth2",
  saak: "ACME_TST#service-access-key",
  sask: "service-secret-key-value",
  ev: "U1",
  v: "1.1",
  dt: "12",
};

export const API_ORIGIN = "https://mingle-ionapi.example.com";
export const SSO_ORIGIN = "https://mingle-sso.example.com:443";
export const TOKEN_PATH = "/ACME_TST/as/token.oauth2";

export function creds(overrides: Record<string, unknown> = {}): IonapiCredentials {
  return parseIonapi({ ...IONAPI, ...overrides });
}

/** Virtual time: sleep advances the clock at once and records the delay. */
export class FakeClock implements Clock {
  t: number;
  sleeps: number[] = [];
  constructor(start = Date.UTC(2026, 10, 30, 8, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export function mockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

export function tokenBody(access: string, expiresIn = 3600, refresh?: string): string {
  return JSON.stringify({
    access_token: access,
    token_type: "Bearer",
    expires_in: expiresIn,
    ...(refresh ? { refresh_token: refresh } : {}),
  });
}

/** Parse a form body (string) of an intercepted request. */
export function form(body: unknown): URLSearchParams {
  return new URLSearchParams(typeof body === "string" ? body : "");
}
