import { OpsError } from "../errors.ts";
import { attr, child, children, type ParsedXml, text, type XmlNode } from "./xml.ts";

/**
 * The OAGIS envelope as Infor ION sends it (namespace http://schema.infor.com/InforOAGIS/2):
 *
 *   <SyncSupplierInvoice releaseID="9.2" versionID="2.x">
 *     <ApplicationArea>
 *       <Sender><LogicalID>lid://infor.m3.m3</LogicalID><ComponentID>M3BE</ComponentID></Sender>
 *       <CreationDateTime>2026-11-30T12:00:00Z</CreationDateTime>
 *       <BODID>…</BODID>
 *     </ApplicationArea>
 *     <DataArea>
 *       <Sync>
 *         <TenantID>ACME_PRD</TenantID>
 *         <AccountingEntityID>100_AAA</AccountingEntityID>
 *         <ActionCriteria><ActionExpression actionCode="Replace"/></ActionCriteria>
 *       </Sync>
 *       <SupplierInvoice>…</SupplierInvoice>   (one or more nouns)
 *     </DataArea>
 *   </SyncSupplierInvoice>
 *
 * The root element name is verb + noun. For M3 the accounting entity is "<CONO>_<DIVI>"; for
 * SyteLine it is the site.
 */

const VERBS = [
  "Sync",
  "Process",
  "Show",
  "Get",
  "Load",
  "Acknowledge",
  "Confirm",
  "Notify",
  "Respond",
  "Cancel",
  "Change",
  "Post",
  "Update",
] as const;

export interface BodEnvelope {
  verb: string;
  noun: string;
  bodId?: string;
  logicalId?: string;
  createdAt?: string;
  tenantId?: string;
  accountingEntity?: string;
  /** Add, Change, Replace or Delete (Sync's ActionExpression). */
  actionCode?: string;
  nouns: XmlNode[];
}

export function readEnvelope(xml: ParsedXml): BodEnvelope {
  const verb = VERBS.find((v) => xml.rootName.startsWith(v) && xml.rootName.length > v.length);
  if (!verb) throw new OpsError("bod_not_a_bod", "root element is not a BOD (verb + noun)");
  const noun = xml.rootName.slice(verb.length);
  const root = xml.root;
  const app = child(root, "ApplicationArea");
  const data = child(root, "DataArea");
  if (app === undefined || data === undefined)
    throw new OpsError("bod_not_a_bod", "BOD without ApplicationArea/DataArea");
  const verbNode = child(data, verb);
  const env: BodEnvelope = { verb, noun, nouns: children(data, noun) };
  const set = (key: keyof BodEnvelope, value: string | undefined) => {
    if (value !== undefined) (env as unknown as Record<string, string>)[key] = value;
  };
  set("bodId", text(app, "BODID"));
  set("logicalId", text(app, "Sender", "LogicalID"));
  set("createdAt", text(app, "CreationDateTime"));
  set("tenantId", text(verbNode, "TenantID"));
  set("accountingEntity", text(verbNode, "AccountingEntityID"));
  set("actionCode", attr(verbNode, "actionCode", "ActionCriteria", "ActionExpression"));
  return env;
}
