import { describe, expect, it } from "vitest";
import {
  HttpStatusError,
  MalformedResponseError,
  MiBusinessError,
} from "../../src/infor/errors.ts";
import type { InforResponse } from "../../src/infor/http/client.ts";
import { parseMiV1, parseMiV2 } from "../../src/infor/m3/mi-parse.ts";

function res(status: number, body: unknown, headers: Record<string, string> = {}): InforResponse {
  return {
    status,
    headers,
    text: typeof body === "string" ? body : JSON.stringify(body),
    requestId: "req-1",
    url: "https://x/y",
  };
}

const v2ok = {
  results: [
    { transaction: "LstLine", records: [{ PUNO: "1000001   ", PNLI: "10", PUPR: "12.50" }] },
  ],
  wasTerminated: false,
  nrOfSuccessfullTransactions: 1,
  nrOfFailedTransactions: 0,
};

describe("MI v2", () => {
  it("returns right-trimmed string records", () => {
    const r = parseMiV2(res(200, v2ok), "PPS200MI", "LstLine");
    expect(r.records).toEqual([{ PUNO: "1000001", PNLI: "10", PUPR: "12.50" }]);
    expect(r.requestId).toBe("req-1");
  });

  it("an empty list is an empty list, a missing results array is not", () => {
    expect(
      parseMiV2(res(200, { results: [{ transaction: "T", records: [] }] }), "P", "T").records,
    ).toEqual([]);
    expect(() => parseMiV2(res(200, { foo: 1 }), "P", "T")).toThrow(MalformedResponseError);
  });

  it.each([
    [
      "error in results, HTTP 400",
      400,
      {
        results: [
          {
            transaction: "GetHead",
            records: [],
            errorMessage: "Record does not exist",
            errorCode: "XRE0103",
            errorField: "PUNO",
            errorType: "ServerReturnedNOK",
          },
        ],
        nrOfFailedTransactions: 1,
      },
    ],
    [
      "error at top level, HTTP 400",
      400,
      {
        errorMessage: "Record does not exist",
        errorCode: "XRE0103",
        errorField: "PUNO",
        errorType: "ServerReturnedNOK",
      },
    ],
    [
      "error in results, HTTP 200",
      200,
      {
        results: [
          {
            transaction: "GetHead",
            records: [],
            errorMessage: "Record does not exist",
            errorCode: "XRE0103",
            errorField: "PUNO",
          },
        ],
        nrOfFailedTransactions: 1,
      },
    ],
  ])("business error: %s", (_name, status, body) => {
    try {
      parseMiV2(res(status, body), "PPS200MI", "GetHead");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MiBusinessError);
      const e = err as MiBusinessError;
      expect(e).toMatchObject({
        code: "mi_business",
        program: "PPS200MI",
        transaction: "GetHead",
        errorCode: "XRE0103",
        field: "PUNO",
        requestId: "req-1",
      });
      expect(e.message).toContain("Record does not exist");
    }
  });

  it("a bare HTTP 400 (unknown transaction) is a business error, not an empty list", () => {
    expect(() => parseMiV2(res(400, "{}"), "XXX", "Nope")).toThrow(MiBusinessError);
  });

  it.each([
    ["html", res(200, "<!DOCTYPE html><html><body>Maintenance</body></html>")],
    ["html", res(200, "<p>x</p>", { "content-type": "text/html" })],
    ["truncated", res(200, '{"results":[{"transaction":"LstLine","records":[{"PUNO":"10')],
    ["truncated", res(200, "")],
    ["bad_json", res(200, "Internal error: NullPointerException")],
  ])("malformed body → %s", (kind, r) => {
    try {
      parseMiV2(r, "PPS200MI", "LstLine");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedResponseError);
      expect((err as MalformedResponseError).kind).toBe(kind);
      expect((err as MalformedResponseError).requestId).toBe("req-1");
    }
  });
});

describe("statuses that are not MI replies", () => {
  it.each([403, 404, 500])("HTTP %i is an HttpStatusError, not parsed", (status) => {
    const r = res(status, "<html>Not Found</html>");
    expect(() => parseMiV2(r, "P", "T")).toThrow(HttpStatusError);
    expect(() => parseMiV1(r, "P", "T")).toThrow(HttpStatusError);
  });
  it("a bare 400 in v1 is a business error (unknown transaction)", () => {
    expect(() => parseMiV1(res(400, ""), "P", "Nope")).toThrow(MiBusinessError);
  });
});

describe("MI v1", () => {
  it("normalizes MIRecord/NameValue to the same shape, trimming padding", () => {
    const body = {
      Program: "CRS620MI",
      Transaction: "GetBasicData",
      Metadata: { Field: [] },
      MIRecord: [
        {
          RowIndex: "0",
          NameValue: [
            { Name: "SUNO", Value: "S100      " },
            { Name: "SUNM", Value: "Acme Supplies     " },
          ],
        },
      ],
    };
    expect(parseMiV1(res(200, body), "CRS620MI", "GetBasicData").records).toEqual([
      { SUNO: "S100", SUNM: "Acme Supplies" },
    ]);
  });

  it("ServerReturnedNOK on HTTP 200 is a business error", () => {
    const body = {
      "@type": "ServerReturnedNOK",
      Message: "Supplier X does not exist",
      "@code": "XRE0103",
      "@field": "SUNO",
    };
    expect(() => parseMiV1(res(200, body), "CRS620MI", "GetBasicData")).toThrow(
      expect.objectContaining({ code: "mi_business", errorCode: "XRE0103", field: "SUNO" }),
    );
  });

  it("an object without Program is not an MI reply", () => {
    expect(() => parseMiV1(res(200, { MIRecord: [] }), "P", "T")).toThrow(MalformedResponseError);
  });
});
