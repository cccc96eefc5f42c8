import { z } from "zod";

/**
 * Per tenant: whether Slack decisions reach the ERP (docs/erp-approvals.md). Off by default: an
 * admin turns it on after checking the routes against the tenant in shadow mode.
 */
export const writeBackSchema = z
  .strictObject({
    /** off: Slack only · shadow: log the exact ERP call, send nothing · on: call the ERP once. */
    mode: z.enum(["off", "shadow", "on"]).default("off"),
    /** cms: the tenant runs M3's approval flow (CMS715): M3's pending list says who may approve. */
    approvalFlow: z.enum(["none", "cms"]).default("none"),
    m3: z
      .strictObject({
        /** CSYTAB SCRE code sent with APS450MI RejectInvoice; M3 refuses free text there. */
        rejectReasonCode: z.string().max(2).default(""),
        /** CMS740/742MI field names (not public; override when the tenant's differ). */
        flowFields: z
          .strictObject({
            user: z
              .string()
              .regex(/^[A-Z0-9]{4}$/)
              .default("USID"),
            reason: z
              .string()
              .regex(/^[A-Z0-9]{4}$/)
              .default("TX60"),
            line: z
              .string()
              .regex(/^[A-Z0-9]{4}$/)
              .default("LINE"),
          })
          .default({ user: "USID", reason: "TX60", line: "LINE" }),
      })
      .default({
        rejectReasonCode: "",
        flowFields: { user: "USID", reason: "TX60", line: "LINE" },
      }),
  })
  .default({
    mode: "off",
    approvalFlow: "none",
    m3: { rejectReasonCode: "", flowFields: { user: "USID", reason: "TX60", line: "LINE" } },
  });

export type WriteBackConfig = z.infer<typeof writeBackSchema>;
