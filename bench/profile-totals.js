// Total time (self and callees) of the functions in a V8 .cpuprofile, for the questions self
// time cannot answer ("how much of the run is rendering the PDF?"). A function that appears
// several times on one stack is counted once. Async code loses its callers across awaits, so
// look at the functions an await resumes in (deliverOne, renderLetterPdf), not at main.
//
//   node bench/profile-totals.js FILE.cpuprofile [--match dist/] [--top 40]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { selfTimes } from "./profile-summary.js";

/** "name where:line", where is dist/… for our code and pkg:NAME/… for a package's. */
function label(callFrame) {
  const name = callFrame.functionName || "(anonymous)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(callFrame.url);
  const where = pkg
    ? `pkg:${pkg[1]}/${pkg[2]}`
    : callFrame.url.replace(/^.*\/(dist\/)/, "$1").replace(/^file:\/\//, "");
  return where ? `${name} ${where}:${callFrame.lineNumber + 1}` : name;
}

export function totals(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const { selfUs, totalUs } = selfTimes(profile);
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let node = id; node !== undefined; node = parent.get(node)) {
      const key = label(byId.get(node).callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  return { totalUs, inclusive };
}

export function formatTotals(profile, { match = "dist/", top = 40 } = {}) {
  const { totalUs, inclusive } = totals(profile);
  const rows = [...inclusive]
    .filter(([name]) => name.includes(match))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([name, us]) =>
        `${String(Math.round(us / 1000)).padStart(8)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${name}`,
    );
  return [
    `sampled ${Math.round(totalUs / 1000)} ms; total time of functions matching "${match}":`,
    ...rows,
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, ...rest] = process.argv.slice(2);
  const options = {};
  for (let i = 0; i < rest.length; i += 2) {
    if (rest[i] === "--match") options.match = rest[i + 1];
    else if (rest[i] === "--top") options.top = Number(rest[i + 1]);
    else throw new Error(`unknown option ${rest[i]}`);
  }
  process.stdout.write(`${formatTotals(JSON.parse(readFileSync(file, "utf8")), options)}\n`);
}
