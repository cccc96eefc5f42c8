import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  FEATURE_SCOPES,
  findSlackMethodCalls,
  METHOD_SCOPES,
  PENDING_METHODS,
  requiredScopes,
} from "../../src/ops/scopes.ts";
import { manifestSchema } from "./manifest-schema.ts";

const root = new URL("../../", import.meta.url).pathname;
const manifest = parse(readFileSync(join(root, "manifest.yml"), "utf8")) as {
  oauth_config: { scopes: { bot: string[] } };
  features: { slash_commands: { command: string }[]; app_home: Record<string, boolean> };
  settings: Record<string, unknown> & { event_subscriptions: { bot_events: string[] } };
};

/** The parts of the manifest the negative test edits. */
interface Mutable {
  display_information: { name: string };
  features: { slash_commands: { command: string }[] };
  settings: {
    interactivity: { request_url?: string };
    event_subscriptions: { request_url?: string };
    socket_mode_enabled?: boolean;
    socket_mode_enabeld?: boolean;
  };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Methods called anywhere in src/ (the scope table itself is data, not calls). */
function calledMethods(): Map<string, string[]> {
  const where = new Map<string, string[]>();
  for (const file of sourceFiles(join(root, "src"))) {
    if (file.endsWith("ops/scopes.ts")) continue;
    for (const m of findSlackMethodCalls(readFileSync(file, "utf8"))) {
      where.set(m, [...(where.get(m) ?? []), file.slice(root.length)]);
    }
  }
  return where;
}

describe("manifest.yml", () => {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  const validate = ajv.compile(manifestSchema);

  it("is valid against the manifest schema", () => {
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the schema refuses what Slack refuses (so the test above can fail)", () => {
    const bad = structuredClone(manifest) as unknown as Mutable;
    bad.display_information.name = "A name that is far longer than thirty-five characters";
    const command = bad.features.slash_commands[0];
    if (command) command.command = "infor";
    bad.settings.interactivity.request_url = "http://insecure.example.com/slack/events";
    bad.settings.socket_mode_enabeld = true;
    expect(validate(bad)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/display_information/name maxLength",
        "/features/slash_commands/0/command pattern",
        "/settings/interactivity/request_url pattern",
        "/settings additionalProperties",
      ]),
    );
    const noUrl = structuredClone(manifest) as unknown as Mutable;
    delete noUrl.settings.event_subscriptions.request_url;
    expect(validate(noUrl)).toBe(false);
    noUrl.settings.socket_mode_enabled = true;
    expect(validate(noUrl)).toBe(true);
  });

  it("declares the /infor command, App Home, app_home_opened and a Socket Mode switch", () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(["/infor"]);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    // Users read notices in the Messages tab but cannot write to the bot there.
    expect(manifest.features.app_home.messages_tab_read_only_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toContain("app_home_opened");
    expect(typeof manifest.settings.socket_mode_enabled).toBe("boolean");
  });
});

describe("bot scopes", () => {
  const called = calledMethods();

  it("finds calls written the ways this codebase writes them", () => {
    const src = `
      await client.chat.postMessage({ channel });
      await deps.slackClient?.views.publish({ user_id });
      await options.client.usergroups.users.list({ usergroup });
      await web.apiCall("conversations.join", { channel });
      await say("hi");
      this.users.get(id); // a Map, not Slack
    `;
    expect(findSlackMethodCalls(src)).toEqual([
      "chat.postMessage",
      "conversations.join",
      "usergroups.users.list",
      "views.publish",
    ]);
  });

  it("finds Slack calls in src/ (the scan is not vacuous)", () => {
    expect(called.size).toBeGreaterThan(3);
  });

  it("every method called in src/ is in the scope table and its scopes are declared", () => {
    const declared = new Set(manifest.oauth_config.scopes.bot);
    const problems: string[] = [];
    for (const [method, files] of called) {
      const scopes = METHOD_SCOPES[method];
      if (!scopes) {
        problems.push(`${method} (in ${files.join(", ")}) is not in src/ops/scopes.ts`);
        continue;
      }
      for (const s of scopes) {
        if (!declared.has(s)) problems.push(`${method} needs ${s}, missing from manifest.yml`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("declares no scope that no called (or pending) method or feature needs", () => {
    const methods = new Set([...called.keys(), ...PENDING_METHODS]);
    const needed = requiredScopes(methods, Object.keys(FEATURE_SCOPES));
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(needed);
  });

  it("lists only real table entries as pending, none whose call has landed", () => {
    for (const m of PENDING_METHODS) {
      expect(METHOD_SCOPES[m], m).toBeDefined();
      expect(
        called.get(m),
        `${m} is called in src/: remove it from PENDING_METHODS`,
      ).toBeUndefined();
    }
  });

  it("declares exactly the scopes of the calls in src/ once nothing is pending", () => {
    // A scope kept for a method nobody calls is a scope an admin grants for nothing.
    expect(PENDING_METHODS).toEqual([]);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      requiredScopes(called.keys(), Object.keys(FEATURE_SCOPES)),
    );
  });
});
