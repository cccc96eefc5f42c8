import { formatMinor } from "./amounts.ts";
import { BANK_ACCOUNT, COST_ACCOUNTS, COST_CENTERS, DIVISIONS, divisionFor } from "./catalog.ts";
import { addDays } from "./dates.ts";
import { manualGlLine } from "./derive.ts";
import {
  costInvoice,
  type InvoiceContext,
  poInvoice,
  randomStage,
  setStage,
} from "./generate-invoices.ts";
import { generateAccounts, generateSuppliers } from "./generate-masters.ts";
import { makePo, type PoContext, randomStates } from "./generate-pos.ts";
import {
  type DataSize,
  DEFAULT_SIZE,
  type Division,
  type GlLineRec,
  type InvoiceRec,
  type PoRec,
  type ScenarioKeys,
  type SupplierRec,
  type TenantData,
} from "./model.ts";
import { createRng, type Rng } from "./rng.ts";

export interface GenerateOptions {
  tenant: string;
  seed: number;
  /** The sim's "today", YYYYMMDD. */
  today: string;
  size?: Partial<DataSize>;
  /** When an invoice enters its PO line's IVQA: on posting (default) or at entry. */
  invoicedQtyAt?: "posting" | "entry";
  /** PO-matched invoice lines carry the cost center AIT2 (default) or leave it blank. */
  invoiceLineDimensions?: boolean;
}

/** Adds a matched invoice's quantities to its PO lines' invoiced quantity (IVQA). */
function countInvoiced(pos: PoRec[], invoice: InvoiceRec): void {
  for (const line of invoice.lines ?? []) {
    const poLine = pos.find((p) => p.puno === line.puno)?.lines.find((l) => l.pnli === line.pnli);
    if (poLine) poLine.ivqa = String(Number(poLine.ivqa) + Number(line.ivqa));
  }
}

function suppliersOf(all: SupplierRec[], cono: number): SupplierRec[] {
  return all.filter((s) => s.cono === cono && s.stat === "20");
}

function mainDivision(): Division {
  const division = DIVISIONS[0];
  if (!division) throw new Error("division catalog is empty");
  return division;
}

function manualVouchers(rng: Rng, count: number, today: string, next: InvoiceContext["next"]) {
  const lines: GlLineRec[] = [];
  for (let v = 0; v < count; v++) {
    const division = divisionFor(v);
    const acdt = addDays(today, -rng.int(0, 60));
    const jrno = next.jrno++;
    const vono = next.vono++;
    const parts = rng.int(1, 3);
    let total = 0n;
    const voucher = { jrno, vono, acdt, changedOn: acdt };
    const push = (jsno: number, ait1: string, ait2: string, minor: bigint, vtxt: string): void => {
      lines.push(
        manualGlLine(division, voucher, { jsno, ait1, ait2, acam: formatMinor(minor), vtxt }),
      );
    };
    for (let p = 0; p < parts; p++) {
      const amount = BigInt(rng.int(10_000, 900_000));
      total += amount;
      push(p + 1, rng.pick(COST_ACCOUNTS), rng.pick(COST_CENTERS)[0], amount, `Accrual ${v + 1}`);
    }
    push(parts + 1, BANK_ACCOUNT, "", -total, `Accrual ${v + 1}`);
  }
  return lines;
}

/**
 * The exception cases, always in company 100 / division AAA, on POs of their own so the random
 * data cannot hide them. Each is awaiting approval (SUPA 40 "Not approved").
 */
function scenarioInvoices(
  poCtx: PoContext,
  ctx: InvoiceContext,
  suppliers: SupplierRec[],
  nextPuno: () => string,
  pos: PoRec[],
  invoices: InvoiceRec[],
): ScenarioKeys {
  const division = mainDivision();
  const local = suppliers.filter((s) => s.cucd === division.locd);
  const supplier = (k: number): SupplierRec => {
    const s = local[k % local.length];
    if (!s) throw new Error("no supplier for scenarios");
    return s;
  };
  const keys: ScenarioKeys = {
    priceVariance: [],
    qtyOverReceipt: [],
    missingReceipt: [],
    duplicateNumber: [],
    creditNote: [],
    otherCurrency: [],
  };
  const withPo = (
    key: keyof ScenarioKeys,
    k: number,
    states: Parameters<typeof makePo>[4],
    tweak: Parameters<typeof poInvoice>[4],
  ): InvoiceRec => {
    const s = supplier(k);
    const po = makePo(poCtx, nextPuno(), division, s, states);
    pos.push(po);
    const invoice = poInvoice(ctx, division, s, po, tweak);
    if (!invoice) throw new Error(`scenario ${key} produced no invoice`);
    setStage(ctx, invoice, "40");
    invoices.push(invoice);
    keys[key].push(invoice.inbn);
    return invoice;
  };
  withPo("priceVariance", 0, ["full", "full"], { pricePlusPercent: 8 });
  withPo("qtyOverReceipt", 1, ["partial"], { extraQuantity: 5 });
  withPo("missingReceipt", 2, ["none"], { invoiceUnreceived: true });
  withPo("otherCurrency", 4, ["full"], { currency: "USD" });
  const original = withPo("duplicateNumber", 3, ["full"], {});
  const copy: InvoiceRec = { ...original, inbn: ctx.next.inbn++, puno: "", ibtp: "20" };
  delete copy.lines;
  invoices.push(copy);
  keys.duplicateNumber.push(copy.inbn);
  const credit = costInvoice(ctx, division, supplier(5), true);
  setStage(ctx, credit, "40");
  invoices.push(credit);
  keys.creditNote.push(credit.inbn);
  return keys;
}

/** Deterministic data for one tenant: same options, same data. */
export function generateTenantData(options: GenerateOptions): TenantData {
  const size = { ...DEFAULT_SIZE, ...options.size };
  const rng = createRng(options.seed);
  const today = options.today;
  const seq = { inbn: 1_000_001, jrno: 1, vono: 1, repn: 5_000_001, puno: 1_000_001 };
  const poCtx: PoContext = { rng, today, nextRepn: () => String(seq.repn++) };
  const ctx: InvoiceContext = { rng, today, next: seq };
  const nextPuno = (): string => String(seq.puno++);
  const suppliers = generateSuppliers(rng, size.suppliersPerCompany, today);
  const pos: PoRec[] = [];
  for (let i = 0; i < size.purchaseOrders; i++) {
    const division = divisionFor(i);
    pos.push(
      makePo(
        poCtx,
        nextPuno(),
        division,
        rng.pick(suppliersOf(suppliers, division.cono)),
        randomStates(rng),
      ),
    );
  }
  const invoices: InvoiceRec[] = [];
  for (let i = 0; i < size.invoices; i++) {
    const po = i < pos.length ? pos[i] : undefined;
    const division = po
      ? (DIVISIONS.find((d) => d.divi === po.divi) ?? divisionFor(i))
      : divisionFor(i);
    const choices = suppliersOf(suppliers, division.cono);
    const supplier = po
      ? (choices.find((s) => s.suno === po.suno) ?? rng.pick(choices))
      : rng.pick(choices);
    const invoice =
      (po && poInvoice(ctx, division, supplier, po)) || costInvoice(ctx, division, supplier);
    const { stage, pay } = randomStage(rng);
    setStage(ctx, invoice, stage, pay);
    if (stage === "90" || options.invoicedQtyAt === "entry") countInvoiced(pos, invoice);
    invoices.push(invoice);
  }
  const scenarioStart = invoices.length;
  const scenarios = scenarioInvoices(poCtx, ctx, suppliers, nextPuno, pos, invoices);
  // Scenario invoices are not posted: on an "entry" tenant they are in IVQA already.
  if (options.invoicedQtyAt === "entry") {
    for (const invoice of invoices.slice(scenarioStart)) countInvoiced(pos, invoice);
  }
  if (options.invoiceLineDimensions === false) {
    // Blank on the batch lines only: the GL lines of a posted invoice keep the invoice's coding.
    for (const invoice of invoices) {
      for (const line of invoice.lines ?? []) {
        if (line.rdtp === "1") line.ait2 = "";
      }
    }
  }
  return {
    tenant: options.tenant,
    divisions: DIVISIONS.map((d) => ({ ...d })),
    suppliers,
    pos,
    invoices,
    manualGl: manualVouchers(rng, size.manualVouchers, today, seq),
    accounts: generateAccounts(today),
    scenarios,
    seq,
    version: 1,
  };
}
