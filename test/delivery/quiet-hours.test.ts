import { describe, expect, it } from "vitest";
import { quietHoursSchema } from "../../src/delivery/config.ts";
import { quietState } from "../../src/delivery/quiet-hours.ts";

const night = quietHoursSchema.parse({
  start: "22:00",
  end: "07:00",
  timeZone: "Europe/Stockholm",
});
const lunch = quietHoursSchema.parse({ start: "12:00", end: "13:00", timeZone: "UTC" });
const weekdayNights = quietHoursSchema.parse({
  start: "22:00",
  end: "07:00",
  timeZone: "UTC",
  days: [1, 2, 3, 4, 5],
});

describe("quietState", () => {
  it.each([
    // Stockholm is UTC+1 in winter
    ["before the window", night, "2026-12-01T20:59:00Z", false, undefined],
    ["at the start", night, "2026-12-01T21:00:00Z", true, "2026-12-02T06:00:00.000Z"],
    ["after midnight", night, "2026-12-02T03:00:00Z", true, "2026-12-02T06:00:00.000Z"],
    ["at the end", night, "2026-12-02T06:00:00Z", false, undefined],
    // summer time: UTC+2, the window ends 05:00 UTC
    ["in summer", night, "2026-07-01T23:00:00Z", true, "2026-07-02T05:00:00.000Z"],
    // DST ends 2026-10-25 03:00 local: the night is an hour longer in UTC
    ["across the DST change", night, "2026-10-24T21:00:00Z", true, "2026-10-25T06:00:00.000Z"],
    ["same-day window", lunch, "2026-12-01T12:30:00Z", true, "2026-12-01T13:00:00.000Z"],
    ["outside same-day window", lunch, "2026-12-01T13:00:00Z", false, undefined],
    // 2026-12-04 is a Friday: Friday night is quiet, Saturday night is not
    [
      "friday night counts",
      weekdayNights,
      "2026-12-05T02:00:00Z",
      true,
      "2026-12-05T07:00:00.000Z",
    ],
    ["saturday night does not", weekdayNights, "2026-12-05T23:00:00Z", false, undefined],
    [
      "sunday early (saturday's night) does not",
      weekdayNights,
      "2026-12-06T02:00:00Z",
      false,
      undefined,
    ],
  ] as const)("%s", (_name, q, at, quiet, endsAt) => {
    const s = quietState(Date.parse(at), q);
    expect(s.quiet).toBe(quiet);
    expect(s.endsAt === undefined ? undefined : new Date(s.endsAt).toISOString()).toBe(endsAt);
  });

  it("an empty window is never quiet", () => {
    expect(quietState(0, quietHoursSchema.parse({ start: "10:00", end: "10:00" })).quiet).toBe(
      false,
    );
  });
});
