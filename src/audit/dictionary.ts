/**
 * The preset dictionary of audit data deflated in the compact shape (codec.ts, marker 0x01).
 * Deflate finds almost nothing to repeat inside one half-kilobyte alert: with its field names
 * given up front, an alert.stored entry shrinks by about a third more. Only names and the fixed
 * vocabulary of src/alerts, src/infor/records.ts and the delivery and approval entries are in
 * it, never customer values.
 *
 * FROZEN: entries already in Redis decode with these exact bytes (a test pins their digest). A
 * better dictionary is a new one with its own marker byte; this one stays for reading.
 */
export const DICTIONARY_V1: Buffer = Buffer.from(
  [
    '{"approvalId":"apv_","actor":"system","state":"approved","reason":"","code":"","comment":"","asked":"","onBehalfOf":"","at":"20',
    '{"found":false,"resend":true}{"alreadyDelivered":false}{"members":',
    '"exception":{"type":"price_variance","title":"","severity":"warning","summary":"","details":[{"label":"","value":""}],"amount":{"amount":"","currency":""}}',
    '"document":{"lines":[{"id":"","line":null,"exception":{},"state":"open","resolvedReason":"","since":"20","costCenter":"","approvalId":"apv_","allowHold":true,"noApprover":true}],"events":[{"lineId":"","event":"opened","changes":[{"field":"","from":"","to":""}]}]}',
    '"needsDecision":{"approvalId":"apv_","allowHold":true,"ask":{"users":[],"groups":[]}},"reply":{"parentAlertId":"","threadTs":""},"note":{"text":"","threadTs":""},"routeNote":"","link":"https://',
    '"record":{"entity":"supplier","tenant":"","company":"","division":"","source":"m3","changedAt":"20","id":"","name":"","status":"","currency":"","country":"","vatNumber":"","paymentTerms":"","blocked":false}',
    '"record":{"entity":"purchase_order","tenant":"","company":"","division":"","source":"m3","changedAt":"20","number":"","supplierId":"","supplierName":"","status":"","statusCode":"","buyer":"","orderDate":"20","deliveryDate":"20","currency":"","total":{"amount":"","currency":""},"costCenter":"","lines":[{"line":1,"subLine":0,"item":"","description":"","orderedQty":"","receivedQty":"","invoicedQty":"0","unit":"","unitPrice":{"amount":"","currency":""},"pricePer":"1","costCenter":"","account":"","receipts":[{"id":"","date":"20","quantity":""}]}]}',
    '"record":{"entity":"gl_voucher","tenant":"","company":"","division":"","source":"m3","changedAt":"20","voucher":"","series":"","year":20,"period":1,"accountingDate":"20","description":"","lines":[{"line":1,"account":"","costCenter":"","dimensions":{},"amount":{"amount":"","currency":""},"text":""}]}',
    '"record":{"entity":"supplier_invoice","tenant":"","company":"","division":"","source":"m3","changedAt":"20","supplierId":"","supplierName":"","invoiceNumber":"","batchNumber":"","invoiceDate":"20","dueDate":"20","accountingDate":"20","status":"entry","statusCode":"","statusText":"","total":{"amount":"","currency":""},"vat":{"amount":"","currency":""},"poNumber":"","costCenter":"","credit":false,"authorizedUser":"","voucher":"","lines":[{"line":1,"poNumber":"","poLine":1,"poSubLine":0,"item":"","description":"","quantity":"","unit":"","unitPrice":{"amount":"","currency":""},"pricePer":"1","amount":{"amount":"","currency":""},"costCenter":"","account":""}]}',
    '"record":{"entity":"payment","tenant":"","company":"","division":"","source":"m3","changedAt":"20","supplierId":"","supplierName":"","reference":"","invoiceNumber":"","paymentDate":"20","amount":{"amount":"","currency":""},"method":"","voucher":"","costCenter":""}',
    '{"ok":true,"ts":"","mode":"post"}{"mode":"update","attempt":1}',
    '{"alert":{"kind":"record.new","tenant":"","entity":"","contentVersion":"","subject":"","changes":[{"field":"","from":"","to":""}],"costCenter":"","createdAt":"20',
  ].join(""),
  "utf8",
);
