import type { MiInputField, MiTransactionSpec } from "./specs.ts";

const i = (
  name: string,
  required: boolean,
  type: "A" | "N",
  length: number,
  label: string,
): MiInputField => ({ name, required, type, length, label });

/** Ledger key of APS110MI (swagger 6400); CMS740/742MI are assumed to use it too (sim choice). */
const ledgerKey = [
  i("DIVI", true, "A", 3, "Division"),
  i("SUNO", true, "A", 10, "Supplier"),
  i("SINO", true, "A", 24, "Supplier invoice number"),
  i("INYR", true, "N", 4, "Invoice year"),
];
const flowRow =
  "DIVI:3 SUNO:10 SINO:24 INYR:4 INBN:10 CUAM:17 CUCD:3 USID:10 STAT:2 APBY:10 TX60:60";

/**
 * APS450MI ApproveInvoice / RejectInvoice and APS110MI ApproveInvoice: inputs and outputs from the
 * Infor swagger (APS450MI 6407, APS110MI 6400; docs/erp-approvals.md S1). CMS740MI / CMS742MI:
 * transaction names from Infor's docs (S3, S5); every field here is a (sim choice).
 */
export const APPROVAL_SPECS: Record<string, MiTransactionSpec> = {
  "APS450MI/ApproveInvoice": {
    inputs: [
      i("INBN", true, "N", 10, "Invoice batch number"),
      i("DIVI", false, "A", 3, "Division"),
      i("AAPD", false, "A", 10, "Approval date"),
      i("CRNO", false, "A", 30, "Credit number"),
      i("YRE1", false, "A", 36, "Your reference"),
      i("SINO", false, "A", 24, "Supplier invoice number"),
      i("IVDT", false, "A", 10, "Invoice date"),
      i("DUDT", false, "A", 10, "Due date"),
    ],
    outputs: "",
  },
  "APS450MI/RejectInvoice": {
    inputs: [
      i("INBN", true, "N", 10, "Invoice batch number"),
      i("DIVI", false, "A", 3, "Division"),
      i("REJD", false, "A", 10, "Rejection date"),
      i("SCRE", false, "A", 2, "Rejection reason"),
      i("RPAA", false, "N", 1, "Reprint after adjustment"),
      i("SDA1", false, "A", 60, "Text line 1"),
      i("SDA2", false, "A", 60, "Text line 2"),
      i("SDA3", false, "A", 60, "Text line 3"),
    ],
    outputs: "INBN:10 TRNO:7",
  },
  "APS110MI/ApproveInvoice": { inputs: ledgerKey, outputs: "" },
  "CMS740MI/LstPerUser": {
    inputs: [i("USID", true, "A", 10, "User"), i("DIVI", false, "A", 3, "Division")],
    outputs: flowRow,
  },
  "CMS740MI/Get": { inputs: ledgerKey, outputs: flowRow },
  "CMS740MI/ApproveInvoice": {
    inputs: [...ledgerKey, i("USID", true, "A", 10, "User")],
    outputs: "",
  },
  "CMS740MI/Reject": {
    inputs: [...ledgerKey, i("USID", true, "A", 10, "User"), i("TX60", false, "A", 60, "Text")],
    outputs: "",
  },
  "CMS742MI/Lst": { inputs: ledgerKey, outputs: "LINE:5 STAT:2" },
  "CMS742MI/ApproveLine": {
    inputs: [...ledgerKey, i("LINE", true, "N", 5, "Line"), i("USID", true, "A", 10, "User")],
    outputs: "",
  },
};
