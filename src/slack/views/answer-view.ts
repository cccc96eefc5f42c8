import type { LookupAnswer } from "../commands/answer.ts";
import { glView } from "./gl-view.ts";
import { invoiceView } from "./invoice-view.ts";
import { paymentView } from "./payment-view.ts";
import { poView } from "./po-view.ts";
import { supplierView } from "./supplier-view.ts";
import type { SlackMessage } from "./types.ts";

export function answerView(a: LookupAnswer): SlackMessage {
  switch (a.kind) {
    case "po":
      return poView(a);
    case "invoice":
      return invoiceView(a);
    case "supplier":
      return supplierView(a);
    case "payment":
      return paymentView(a);
    case "gl":
      return glView(a);
  }
}
