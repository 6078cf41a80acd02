import { ProblemList } from "./statement-error.js";
import { lineAndColumn } from "./xml-document.js";

/*
 * OFX 1.x bodies are SGML: aggregates are closed (`</STMTTRN>`), elements are not
 * (`<TRNAMT>-12.50` runs to the next tag), and some banks close elements anyway. This turns
 * such a body into well-formed XML for the XML parser: an element opened with text is closed
 * right after it (an explicit close that follows is skipped); an element opened with no text
 * that its parent's close tag ends unclosed was an empty element, so what was read as its
 * children belongs to the parent. A close tag with no open element is an error with its line.
 */

type SgmlNode = { name: string; text: string | null; children: SgmlNode[] };

const TOKEN = /<!--[\s\S]*?-->|<(\/?)([A-Za-z][A-Za-z0-9_.]*)\s*>|<[^>]*>?/g;

export function ofxSgmlToXml(text: string, bodyStart: number, fileName: string): string {
  const problems: ProblemList = new ProblemList(fileName);
  const root: SgmlNode = { name: "#root", text: null, children: [] };
  const stack: SgmlNode[] = [root];
  let justClosedLeaf: SgmlNode | null = null;
  let textStart = bodyStart;

  const top = (): SgmlNode => stack[stack.length - 1] ?? root;
  /** Ends the elements above `depth`: they were empty elements, their "children" are siblings. */
  const unwindTo = (depth: number) => {
    while (stack.length > depth) {
      const node = stack.pop();
      const parent = top();
      if (node && node.children.length > 0) {
        parent.children.push(...node.children);
        node.children = [];
      }
    }
  };

  TOKEN.lastIndex = bodyStart;
  for (let match = TOKEN.exec(text); match; match = TOKEN.exec(text)) {
    const between = text.slice(textStart, match.index).trim();
    textStart = TOKEN.lastIndex;
    const current = top();
    if (between !== "") {
      if (current !== root && current.text === null && current.children.length === 0) {
        current.text = between;
        stack.pop();
        justClosedLeaf = current;
      } else {
        problems.fail(
          lineAndColumn(text, match.index - between.length),
          `text "${between.slice(0, 30)}" outside of an element`,
        );
      }
    } else if (justClosedLeaf && !match[0].startsWith("</")) {
      justClosedLeaf = null;
    }
    const [token, slash, name] = match;
    if (token.startsWith("<!--")) continue;
    if (name === undefined) {
      problems.fail(lineAndColumn(text, match.index), `"${token.slice(0, 30)}" is not an OFX tag`);
    }
    const upper = name.toUpperCase();
    if (slash === "") {
      const node: SgmlNode = { name: upper, text: null, children: [] };
      top().children.push(node);
      stack.push(node);
      justClosedLeaf = null;
      continue;
    }
    if (justClosedLeaf?.name === upper) {
      justClosedLeaf = null;
      continue;
    }
    justClosedLeaf = null;
    const depth = stack.findLastIndex((node) => node.name === upper);
    if (depth <= 0) {
      problems.fail(
        lineAndColumn(text, match.index),
        `</${upper}> closes an element that is not open`,
      );
    }
    unwindTo(depth + 1);
    stack.pop();
  }
  const trailing = text.slice(textStart).trim();
  if (trailing !== "") {
    problems.fail(
      lineAndColumn(text, textStart),
      `text "${trailing.slice(0, 30)}" after the last tag`,
    );
  }
  const unclosed = stack.slice(1).find((node) => node.children.length > 0);
  if (unclosed)
    problems.fail(lineAndColumn(text, text.length), `<${unclosed.name}> is never closed`);
  unwindTo(1);
  return root.children.map(serialize).join("\n");
}

function serialize(node: SgmlNode): string {
  if (node.children.length > 0) {
    return `<${node.name}>\n${node.children.map(serialize).join("\n")}\n</${node.name}>`;
  }
  return `<${node.name}>${escapeText(node.text ?? "")}</${node.name}>`;
}

/** OFX text may carry `&amp;` or a bare `&` (AT&T): keep entities, escape the rest. */
function escapeText(text: string): string {
  return text.replace(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g, "&amp;");
}
