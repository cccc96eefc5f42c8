/**
 * Redis keys of the exception pipeline. Every key carries the `{mx}` hash tag: the commit script
 * writes several invoice states, dependency sets and a memo at once, and Redis Cluster runs a
 * script only on keys of one slot (Redis docs, "Scripting with Lua": all keys must hash to the
 * same slot).
 */
export function pipelineKeys(prefix: string) {
  const p = `${prefix}{mx}:`;
  return {
    /** Hash { rev, data }: the InvoiceState JSON of one invoice. */
    invoice: (invoiceKey: string) => `${p}inv:${invoiceKey}`,
    /** Set of invoice keys with open exceptions that depend on a token (a PO, another invoice). */
    dependents: (token: string) => `${p}dep:${token}`,
    /** Hash invoice key → invoice JSON: the invoices seen per supplier, for duplicate checks. */
    supplierInvoices: (tenant: string, company: string, supplierId: string) =>
      `${p}sup:${tenant}:${company}:${supplierId}`,
    /** The alerts a trigger (record key + content version) produced, for replays after a crash. */
    memo: (id: string) => `${p}memo:${id}`,
  };
}

export type PipelineKeys = ReturnType<typeof pipelineKeys>;

/** Token of a purchase order as invoices refer to it (by number within tenant and company). */
export function poToken(tenant: string, company: string, poNumber: string): string {
  return `po:${tenant}:${company}:${poNumber}`;
}

/** Token of another invoice (duplicate exceptions depend on it staying live). */
export function invoiceToken(invoiceKey: string): string {
  return `inv:${invoiceKey}`;
}
