import { describe, expect, it } from "vitest";
import { browserTestMode } from "./browser.ts";

describe("browser tests without Chromium", () => {
  it("run when Chromium is there, CI or not", () => {
    expect(browserTestMode({ chromiumFound: true, ci: "true" })).toBe("run");
    expect(browserTestMode({ chromiumFound: true, ci: undefined })).toBe("run");
  });

  it("fail in CI and skip elsewhere when it is missing", () => {
    expect(browserTestMode({ chromiumFound: false, ci: "true" })).toBe("fail");
    expect(browserTestMode({ chromiumFound: false, ci: undefined })).toBe("skip");
    expect(browserTestMode({ chromiumFound: false, ci: "false" })).toBe("skip");
  });
});
