import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { classify } from "../../src/slack/destination/errors.ts";

const platform = (error: string) => new WebAPIPlatformError({ ok: false, error });

describe("classify", () => {
  it.each([
    ["429", new WebAPIRateLimitedError(3), { kind: "rate_limited", retryAfterMs: 3000 }],
    [
      "channel_not_found",
      platform("channel_not_found"),
      { kind: "fatal", reason: "channel_not_found" },
    ],
    ["not_in_channel", platform("not_in_channel"), { kind: "fatal", reason: "not_in_channel" }],
    ["is_archived", platform("is_archived"), { kind: "fatal", reason: "is_archived" }],
    ["invalid_blocks", platform("invalid_blocks"), { kind: "fatal", reason: "invalid_blocks" }],
    ["msg_too_long", platform("msg_too_long"), { kind: "fatal", reason: "msg_too_long" }],
    ["invalid_auth", platform("invalid_auth"), { kind: "fatal", reason: "invalid_auth" }],
    [
      "internal_error in the body",
      platform("internal_error"),
      { kind: "transient", reason: "internal_error" },
    ],
    [
      "503",
      new WebAPIHTTPError(503, "Service Unavailable", {}),
      { kind: "ambiguous", reason: "http_503", answered: true },
    ],
    [
      "504 from a gateway (the call may still land)",
      new WebAPIHTTPError(504, "Gateway Timeout", {}),
      { kind: "ambiguous", reason: "http_504" },
    ],
    ["400", new WebAPIHTTPError(400, "Bad Request", {}), { kind: "transient", reason: "http_400" }],
    [
      "timeout / reset",
      new WebAPIRequestError(new Error("aborted")),
      { kind: "ambiguous", reason: "request_error" },
    ],
    ["anything else", new Error("boom"), { kind: "ambiguous", reason: "unexpected_error" }],
  ])("%s", (_name, err, expected) => {
    expect(classify(err)).toEqual(expected);
  });
});
