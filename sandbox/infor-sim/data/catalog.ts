import type { Division } from "./model.ts";

/** Fixed master data the generator draws from (names are invented). */
export const DIVISIONS: Division[] = [
  { cono: 100, divi: "AAA", locd: "EUR", vatPercent: 20, conm: "Sim Manufacturing Europe" },
  { cono: 100, divi: "BBB", locd: "SEK", vatPercent: 25, conm: "Sim Manufacturing Europe" },
  { cono: 200, divi: "CCC", locd: "USD", vatPercent: 0, conm: "Sim Industries Inc" },
];

/** Which division the i-th generated document goes to: mostly 100/AAA. */
export function divisionFor(index: number): Division {
  const slot = index % 5;
  const division = DIVISIONS[slot < 3 ? 0 : slot === 3 ? 1 : 2];
  if (!division) throw new Error("division catalog is empty");
  return division;
}

export const GL_ACCOUNTS: Array<[string, string]> = [
  ["1930", "Bank operating account"],
  ["2410", "Accounts payable trade"],
  ["2640", "Input VAT"],
  ["4010", "Purchases of goods"],
  ["6100", "External services"],
  ["6200", "Office supplies"],
  ["6500", "IT costs"],
  ["7010", "Travel"],
];

export const COST_CENTERS: Array<[string, string]> = [
  ["CC100", "Finance"],
  ["CC200", "IT"],
  ["CC300", "Production"],
  ["CC400", "Sales"],
  ["CC500", "Research"],
];

export const COST_ACCOUNTS = ["6100", "6200", "6500", "7010"] as const;
export const AP_ACCOUNT = "2410";
export const VAT_ACCOUNT = "2640";
export const BANK_ACCOUNT = "1930";
export const GOODS_ACCOUNT = "4010";

export const NAME_HEADS = [
  "Nordic",
  "Alpine",
  "Baltic",
  "Atlas",
  "Harbor",
  "Summit",
  "Granite",
  "Cedar",
  "Orion",
  "Vega",
  "Delta",
  "Polar",
] as const;
export const NAME_TAILS = [
  "Steel AB",
  "Logistics GmbH",
  "Packaging Oy",
  "Components BV",
  "Office Supply Ltd",
  "Chemicals SA",
  "Electronics AS",
  "Tools Inc",
] as const;

export const ITEMS: Array<[string, string]> = [
  ["BOLT-M8", "Hex bolt M8x40 zinc"],
  ["NUT-M8", "Hex nut M8"],
  ["SHEET-2MM", "Steel sheet 2 mm"],
  ["BOX-40", "Carton box 40x30x20"],
  ["PALLET-EU", "EUR pallet"],
  ["CABLE-3G", "Cable 3G1.5 per m"],
  ["GLOVE-L", "Work gloves size L"],
  ["PAPER-A4", "Copy paper A4 500 sh"],
];

export const BUYERS = ["BUYER01", "BUYER02", "BUYER03"] as const;
export const APPROVERS = ["JSMITH", "MGARCIA", "LCHEN"] as const;
export const CLERKS = ["APCLERK1", "APCLERK2"] as const;
