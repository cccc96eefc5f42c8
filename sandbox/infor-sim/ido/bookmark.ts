/**
 * Mongoose bookmark text (IDO integration guide): `<B><P><p>prop</p>..</P><D><f>false</f>..</D>
 * <F><v>first</v>..</F><L><v>last</v>..</L></B>` — key properties, descending flags, and the key
 * values of the first and last row of the page.
 */
export interface Bookmark {
  props: string[];
  descending: boolean[];
  first: string[];
  last: string[];
}

const escapeXml = (text: string): string =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
const unescapeXml = (text: string): string =>
  text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

export function formatBookmark(b: Bookmark): string {
  const list = (tag: string, inner: string, values: string[]) =>
    `<${tag}>${values.map((v) => `<${inner}>${escapeXml(v)}</${inner}>`).join("")}</${tag}>`;
  return `<B>${list("P", "p", b.props)}${list("D", "f", b.descending.map(String))}${list("F", "v", b.first)}${list("L", "v", b.last)}</B>`;
}

function section(text: string, tag: string, inner: string): string[] | undefined {
  const match = new RegExp(`<${tag}>(.*?)</${tag}>`, "s").exec(text);
  if (!match) return undefined;
  const values: string[] = [];
  const re = new RegExp(`<${inner}>(.*?)</${inner}>|<${inner}/>`, "gs");
  for (const m of (match[1] ?? "").matchAll(re)) values.push(unescapeXml(m[1] ?? ""));
  return values;
}

export function parseBookmark(text: string): Bookmark | undefined {
  if (!text.startsWith("<B>")) return undefined;
  const props = section(text, "P", "p");
  const descending = section(text, "D", "f");
  const first = section(text, "F", "v");
  const last = section(text, "L", "v");
  if (!props || !descending || !first || !last) return undefined;
  if (first.length !== props.length || last.length !== props.length) return undefined;
  return { props, descending: descending.map((f) => f === "true"), first, last };
}
