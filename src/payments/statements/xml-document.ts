import { XMLParser, XMLValidator } from "fast-xml-parser";
import { StatementFileError } from "./statement-error.js";

const ATTRIBUTE_PREFIX = "@_";
const TEXT_KEY = "#text";

/**
 * Every element becomes an array (so a repeated element and a single one read alike), values
 * stay text (`parseTagValue: false` keeps `0100.10` and `000123`), and namespace prefixes are
 * dropped so camt.053.001.02 … .08 and `<ns2:Document>` read by local name. Entities are not
 * processed by the parser: DOCTYPEs are refused before parsing (no XXE, no entity bombs), and
 * the five predefined entities and character references are decoded by `decodeXmlText`.
 */
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  textNodeName: TEXT_KEY,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Callbacks get a matcher instead of a path string, which parses large files a quarter faster.
  jPath: false,
  isArray: (_name, _path, _isLeaf, isAttribute) => !isAttribute,
});

/** Parses well-formed XML into its root element, or refuses it naming the line and column. */
export function parseXmlDocument(text: string, fileName: string): XmlElement {
  const doctype = /<!(DOCTYPE|ENTITY)\b/i.exec(text);
  if (doctype) {
    throw new StatementFileError(fileName, [
      {
        where: lineAndColumn(text, doctype.index),
        problem: `a <!${doctype[1]}> declaration is not allowed in a bank statement (entities are not expanded)`,
      },
    ]);
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { line, col, msg } = validation.err;
    throw new StatementFileError(fileName, [
      { where: `line ${line}, column ${col}`, problem: `malformed XML: ${msg}` },
    ]);
  }
  const parsed: unknown = parser.parse(text);
  const roots = isRecord(parsed)
    ? Object.entries(parsed).filter(([name]) => !name.startsWith("?"))
    : [];
  const [rootName, rootValue] = roots[0] ?? [];
  const rootNode = Array.isArray(rootValue) ? rootValue[0] : undefined;
  if (roots.length !== 1 || rootName === undefined || rootNode === undefined) {
    throw new StatementFileError(fileName, [
      { where: "line 1, column 1", problem: "the file has no single root element" },
    ]);
  }
  return new XmlElement(rootName, rootName, rootNode);
}

export function lineAndColumn(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  const column = index - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

/** A read-only view of one parsed element, which knows its path for error messages. */
export class XmlElement {
  readonly name: string;
  readonly #node: unknown;
  // The path is built only when a message needs it: a statement has many thousand elements.
  readonly #parent: XmlElement | null;
  readonly #segment: string;

  constructor(name: string, segment: string, node: unknown, parent: XmlElement | null = null) {
    this.name = name;
    this.#segment = segment;
    this.#node = node;
    this.#parent = parent;
  }

  /** Like `Stmt[2]/Ntry[5]/Amt`: repeated elements carry their 1-based index. */
  get path(): string {
    return this.#parent ? `${this.#parent.path}/${this.#segment}` : this.#segment;
  }

  /** The same element under another path, to name places relative to a statement. */
  withPath(path: string): XmlElement {
    return new XmlElement(this.name, path, this.#node);
  }

  /** All children of that local name, each path indexed (`Ntry[1]`, `Ntry[2]`, …). */
  children(name: string): XmlElement[] {
    return this.#values(name).map(
      (value, i) => new XmlElement(name, `${name}[${i + 1}]`, value, this),
    );
  }

  /** The first child of that name along a path of local names, or undefined. */
  at(...names: string[]): XmlElement | undefined {
    let current: XmlElement | undefined = this;
    for (const name of names) {
      const value: unknown = current.#values(name)[0];
      if (value === undefined) return undefined;
      current = new XmlElement(name, name, value, current);
    }
    return current;
  }

  /** The element's text, entities decoded and trimmed; undefined when it has none. */
  text(): string | undefined {
    const node = this.#node;
    const raw = typeof node === "string" ? node : isRecord(node) ? node[TEXT_KEY] : undefined;
    if (typeof raw !== "string") return undefined;
    const text = decodeXmlText(raw).trim();
    return text === "" ? undefined : text;
  }

  /** The text at a path of local names below this element, or undefined. */
  textAt(...names: string[]): string | undefined {
    return this.at(...names)?.text();
  }

  attribute(name: string): string | undefined {
    const node = this.#node;
    const raw = isRecord(node) ? node[`${ATTRIBUTE_PREFIX}${name}`] : undefined;
    return typeof raw === "string" ? decodeXmlText(raw).trim() : undefined;
  }

  #values(name: string): unknown[] {
    const node = this.#node;
    if (!isRecord(node)) return [];
    const values = node[name];
    return Array.isArray(values) ? values : [];
  }
}

const PREDEFINED: Readonly<Record<string, string>> = {
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
};

/** Decodes the XML 1.0 predefined entities and character references; leaves anything else. */
export function decodeXmlText(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, body: string) => {
    if (body.startsWith("#")) {
      const code =
        body[1] === "x" || body[1] === "X"
          ? Number.parseInt(body.slice(2), 16)
          : Number.parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[body] ?? whole;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
