import { OverdueError } from "../../kernel/errors.js";

/**
 * Turns the bytes of a statement file into text, by the encoding the file declares: a byte
 * order mark, the XML declaration (camt, OFX 2), or the OFX 1 header's ENCODING and CHARSET
 * (US banks send windows-1252). Undeclared CSV and OFX text is UTF-8 when it decodes as such
 * and windows-1252 otherwise (what spreadsheet exports in Western Europe use); a file that
 * declares an encoding and breaks it is refused, never read as mojibake.
 */
export function decodeStatementText(
  content: Buffer | string,
  kind: "xml" | "ofx" | "csv",
  fileName: string,
): string {
  if (typeof content === "string") return content.replace(/^\uFEFF/, "");
  if (content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf) {
    return decode(content.subarray(3), "utf-8", fileName, "the byte order mark");
  }
  if (content[0] === 0xff && content[1] === 0xfe) {
    return decode(content.subarray(2), "utf-16le", fileName, "the byte order mark");
  }
  if (content[0] === 0xfe && content[1] === 0xff) {
    return decode(content.subarray(2), "utf-16be", fileName, "the byte order mark");
  }
  // Declarations are ASCII, so reading the head as latin1 finds them in any ASCII-based encoding.
  const head = content.subarray(0, 1024).toString("latin1");
  const xmlEncoding = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
  if (xmlEncoding) return decode(content, xmlEncoding, fileName, "the XML declaration");
  if (kind === "ofx") {
    const encoding = /^\s*ENCODING\s*:\s*(\S+)/im.exec(head)?.[1]?.toUpperCase();
    const charset = /^\s*CHARSET\s*:\s*(\S+)/im.exec(head)?.[1]?.toUpperCase();
    if (encoding === "UTF-8" || encoding === "UNICODE") {
      return decode(content, "utf-8", fileName, "the OFX header");
    }
    if (charset && charset !== "NONE") {
      const label = /^\d+$/.test(charset) ? `windows-${charset}` : charset;
      return decode(content, label, fileName, "the OFX header");
    }
  }
  if (kind === "xml") return decode(content, "utf-8", fileName, "XML without a declaration");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch {
    return new TextDecoder("windows-1252").decode(content);
  }
}

function decode(bytes: Uint8Array, label: string, fileName: string, declaredBy: string): string {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new OverdueError(
      "statement_encoding",
      `${fileName}: ${declaredBy} names the encoding "${label}", which Overdue cannot read`,
    );
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new OverdueError(
      "statement_encoding",
      `${fileName}: the file is not valid ${decoder.encoding} text, as ${declaredBy} says it is`,
    );
  }
}
