import { COST_CENTERS, DIVISIONS, GL_ACCOUNTS, NAME_HEADS, NAME_TAILS } from "./catalog.ts";
import { addDays } from "./dates.ts";
import type { AccountRec, SupplierRec } from "./model.ts";
import type { Rng } from "./rng.ts";

/** Chart of accounts (dimension 1) and cost centers (dimension 2) per division. */
export function generateAccounts(today: string): AccountRec[] {
  const rows: AccountRec[] = [];
  const since = addDays(today, -400);
  for (const division of DIVISIONS) {
    const add = (aitp: number, [aitm, name]: [string, string]): void => {
      rows.push({
        cono: division.cono,
        divi: division.divi,
        aitp,
        aitm,
        tx40: name,
        tx15: name.slice(0, 15),
        lccd: "0",
        rgdt: since,
        lmdt: since,
      });
    };
    for (const account of GL_ACCOUNTS) add(1, account);
    for (const center of COST_CENTERS) add(2, center);
  }
  return rows;
}

/** Suppliers per company; a few blocked (STAT 90), one foreign-currency, one with a quote. */
export function generateSuppliers(rng: Rng, perCompany: number, today: string): SupplierRec[] {
  const rows: SupplierRec[] = [];
  const companies = [...new Set(DIVISIONS.map((d) => d.cono))];
  for (const cono of companies) {
    const local = DIVISIONS.find((d) => d.cono === cono)?.locd ?? "EUR";
    for (let i = 0; i < perCompany; i++) {
      const suno = String(cono * 10_000 + 2_000_000 + i + 1);
      const sunm =
        i === 3
          ? "O'Brien Freight Ltd"
          : `${NAME_HEADS[i % NAME_HEADS.length]} ${NAME_TAILS[(i * 7 + cono) % NAME_TAILS.length]}`;
      const rgdt = addDays(today, -rng.int(100, 900));
      rows.push({
        cono,
        suno,
        sunm,
        suty: "0",
        stat: i % 11 === 10 ? "90" : "20",
        alsu: sunm.split(" ")[0]?.toUpperCase().slice(0, 10) ?? "",
        cscd: i % 6 === 5 ? "US" : cono === 200 ? "US" : "SE",
        lncd: "GB",
        phno: `+46 8 ${String(rng.int(100000, 999999))}`,
        vrno: cono === 200 ? "" : `SE${String(rng.int(1000000000, 9999999999))}01`,
        cucd: i % 6 === 5 && cono === 100 ? "USD" : local,
        tepy: rng.pick(["30", "45", "60"]),
        pyme: "BT",
        buye: "BUYER01",
        rgdt,
        lmdt: rng.chance(0.2) ? addDays(today, -rng.int(0, 20)) : rgdt,
        chid: "MDMADMIN",
      });
    }
  }
  return rows;
}
