import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  MalformedResponseError,
  MiBusinessError,
  MiPartialResultError,
} from "../../src/infor/errors.ts";
import type { InforResponse } from "../../src/infor/http/client.ts";
import { parseMiV1, parseMiV2 } from "../../src/infor/m3/mi-parse.ts";

/** Public M3 answers (sources in test/fixtures/m3/README.md). */
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/m3/${name}`, import.meta.url), "utf8"));
}

function res(status: number, body: unknown): InforResponse {
  return {
    status,
    headers: {},
    text: JSON.stringify(body),
    requestId: "req-9",
    url: "https://x/y",
  };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("MI v1, public answers", () => {
  it("reads a list whose RowIndex and @length are numbers", () => {
    const r = parseMiV1(res(200, fixture("v1-list-ok.json")), "TST001MI", "Lst10Out");
    expect(r.records.length).toBeGreaterThan(1);
    expect(r.records[0]?.F001).toBe("00000001");
    expect(r.records[1]?.F010).toBe("00000011");
  });

  it("a NOK with @cfg null is a business error with code, field and a trimmed message", () => {
    const e = caught(() => parseMiV1(res(200, fixture("v1-nok.json")), "TST001MI", "Lst10Out"));
    expect(e).toBeInstanceOf(MiBusinessError);
    expect(e).not.toBeInstanceOf(MiPartialResultError);
    expect(e).toMatchObject({
      errorCode: "CPF9898",
      field: "RETT",
      errorType: "ServerReturnedNOK",
    });
    expect((e as Error).message).toBe("TST001MI/Lst10Out: Designed to fail! (field RETT)");
  });

  it("rows AND an ErrorMessage object are a partial failure carrying the rows, never a short list", () => {
    const e = caught(() =>
      parseMiV1(res(200, fixture("v1-partial-nok.json")), "TST001MI", "Lst10Out"),
    );
    expect(e).toBeInstanceOf(MiPartialResultError);
    const p = e as MiPartialResultError;
    expect(p.code).toBe("mi_business");
    expect(p.partialRecords).toHaveLength(5);
    expect(p.partialRecords[4]?.F001).toBe("00000005");
    expect(p).toMatchObject({
      errorCode: "CPF9898",
      field: "RCNT",
      errorType: "ServerReturnedNOK",
    });
    expect(p.message).toContain("Designed to fail! Record count was:'-5      '");
    expect(p.message).toContain("after 5 row(s)");
  });

  it.each(["MandatoryInputFieldNotFound", "InputFieldTooLong", "TransactionNotFound"])(
    "@type %s is a business error, not a malformed (retried) answer",
    (type) => {
      const body = { ...fixture("v1-nok.json"), "@type": type, Message: "Input field SUNO" };
      const e = caught(() => parseMiV1(res(200, body), "CRS620MI", "GetBasicData"));
      expect(e).toBeInstanceOf(MiBusinessError);
      expect(e).not.toBeInstanceOf(MalformedResponseError);
      expect(e).toMatchObject({ code: "mi_business", errorType: type });
    },
  );
});

describe("MI v2, public answers", () => {
  it('wasTerminated "false" (a string) with no failures is a success', () => {
    const r = parseMiV2(res(200, fixture("v2-string-wasterminated.json")), "X", "LstPartnerMedia");
    expect(r.records).toHaveLength(1);
    expect(r.records[0]?.PRF1).toBe("600996");
  });

  it('wasTerminated "true" (a string) is a failure, not an empty success', () => {
    const body = {
      ...fixture("v2-string-wasterminated.json"),
      results: [{ transaction: "LstPartnerMedia", records: [] }],
      wasTerminated: "true",
      terminationReason: "Job timed out",
    };
    const e = caught(() => parseMiV2(res(200, body), "X", "LstPartnerMedia"));
    expect(e).toBeInstanceOf(MiBusinessError);
    expect((e as Error).message).toContain("Job timed out");
    expect(e).toMatchObject({ errorType: "Terminated" });
  });

  it("terminated after some rows is a partial failure carrying them", () => {
    const body = { ...fixture("v2-string-wasterminated.json"), wasTerminated: "true" };
    const e = caught(() => parseMiV2(res(200, body), "X", "LstPartnerMedia"));
    expect(e).toBeInstanceOf(MiPartialResultError);
    expect((e as MiPartialResultError).partialRecords).toHaveLength(1);
  });

  it("nrOfFailedTransactions > 0 without an error text is a failure, not an empty success", () => {
    const body = {
      results: [{ transaction: "LstLine", records: [] }],
      wasTerminated: "false",
      nrOfSuccessfullTransactions: 0,
      nrOfFailedTransactions: 1,
    };
    const e = caught(() => parseMiV2(res(200, body), "PPS200MI", "LstLine"));
    expect(e).toBeInstanceOf(MiBusinessError);
    expect((e as Error).message).toContain("1 failed transaction");
  });

  it("an error next to records is a partial failure", () => {
    const body = {
      results: [
        {
          transaction: "LstLine",
          records: [{ PUNO: "1000001", PNLI: "10" }],
          errorMessage: "Field IDCHID does not exist in CIDMAS",
          errorField: "QERY",
          errorType: "ServerReturnedNOK",
        },
      ],
      wasTerminated: false,
      nrOfFailedTransactions: 1,
    };
    const e = caught(() => parseMiV2(res(200, body), "PPS200MI", "LstLine"));
    expect(e).toBeInstanceOf(MiPartialResultError);
    expect(e).toMatchObject({ field: "QERY" });
  });

  it("a wasTerminated that is neither boolean nor true/false is malformed", () => {
    const body = { ...fixture("v2-string-wasterminated.json"), wasTerminated: "maybe" };
    expect(() => parseMiV2(res(200, body), "X", "T")).toThrow(MalformedResponseError);
  });
});
