import { XMLParser, XMLValidator } from "fast-xml-parser";
import { OpsError } from "../errors.ts";

/**
 * Safe XML for BODs. Entities are never expanded: a document with a DOCTYPE (where internal and
 * external entities are declared: billion laughs, XXE) is refused before any parsing, and the
 * parser runs with `processEntities: false` besides, so a DOCTYPE that slipped through would still
 * define nothing (fast-xml-parser's own entity limits have been bypassed more than once:
 * CVE-2026-26278, GHSA-8r6m-32jq-jx6q; its advisories name `processEntities: false` as the fix).
 * BODs never need a DOCTYPE: they are validated against XSDs, not DTDs.
 *
 * With entity processing off, the five predefined entities and character references stay as
 * text; `decodeText` turns them into characters in one pass, which can only shorten the text.
 */

export type XmlNode = string | { [key: string]: XmlValue };
export type XmlValue = XmlNode | XmlNode[];

const ATTR = "@_";
const TEXT = "#text";

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  removeNSPrefix: true,
  // Keep every value as text: "00123" is an id and "1.10" an amount, never numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // BODs nest about 10 deep; this stops a deeply nested document from exhausting the stack.
  maxNestedTags: 64,
});

const FORBIDDEN = /<!\s*(DOCTYPE|ENTITY)/i;

export interface ParsedXml {
  rootName: string;
  root: XmlNode;
}

export function parseSafeXml(input: Buffer | string): ParsedXml {
  let text = typeof input === "string" ? input : input.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (FORBIDDEN.test(text)) {
    throw new OpsError("bod_doctype_forbidden", "XML with a DOCTYPE or ENTITY declaration");
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new OpsError(
      "bod_malformed_xml",
      `not well-formed XML (line ${valid.err.line}, column ${valid.err.col})`,
    );
  }
  let doc: Record<string, XmlValue>;
  try {
    doc = parser.parse(text) as Record<string, XmlValue>;
  } catch {
    throw new OpsError("bod_malformed_xml", "XML could not be parsed");
  }
  const rootName = Object.keys(doc).find((k) => !k.startsWith("?") && !k.startsWith(ATTR));
  const root = rootName ? first(doc[rootName]) : undefined;
  if (!rootName || root === undefined) throw new OpsError("bod_malformed_xml", "no root element");
  return { rootName, root };
}

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function decodeText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code =
        ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[ref] ?? whole;
  });
}

function first(v: XmlValue | undefined): XmlNode | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The first child element at `path` (each step takes the first element of a repeated name). */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let cur = node;
  for (const name of path) {
    if (cur === undefined || typeof cur === "string") return undefined;
    cur = first(cur[name]);
  }
  return cur;
}

/** Every child element with this name, in document order. */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (node === undefined || typeof node === "string") return [];
  const v = node[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The element's text, entity-decoded and trimmed; undefined when absent or empty. */
export function text(node: XmlNode | undefined, ...path: string[]): string | undefined {
  const n = child(node, ...path);
  if (n === undefined) return undefined;
  const raw = typeof n === "string" ? n : typeof n[TEXT] === "string" ? n[TEXT] : undefined;
  if (raw === undefined) return undefined;
  const t = decodeText(raw).trim();
  return t === "" ? undefined : t;
}

/** An attribute of the element at `path`. */
export function attr(
  node: XmlNode | undefined,
  name: string,
  ...path: string[]
): string | undefined {
  const n = child(node, ...path);
  if (n === undefined || typeof n === "string") return undefined;
  const v = n[`${ATTR}${name}`];
  return typeof v === "string" ? decodeText(v).trim() || undefined : undefined;
}

/** The first of several alternative paths that has text. */
export function firstText(node: XmlNode | undefined, ...paths: string[][]): string | undefined {
  for (const p of paths) {
    const t = text(node, ...p);
    if (t !== undefined) return t;
  }
  return undefined;
}
