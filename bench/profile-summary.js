// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and self
// time by where the code lives (our dist/, each package, Node internals, GC).
//
//   node bench/profile-summary.js FILE.cpuprofile [--top 25]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where a function lives: "dist/ledger/…", "pkg:kysely", "node:internal", "(garbage collector)"… */
function origin(url, functionName) {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg:${pkg[1]}`;
  const dist = /\/(dist\/.*)$/.exec(url);
  if (dist) return dist[1];
  if (url.startsWith("node:")) return "node:internal";
  return url;
}

/** Microseconds sampled in each profile node (its self time), and in all. */
export function selfTimes(profile) {
  const selfUs = new Map();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    totalUs += delta;
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
  }
  return { selfUs, totalUs };
}

export function summarise(profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const { selfUs, totalUs } = selfTimes(profile);
  const functions = new Map();
  const origins = new Map();
  for (const [id, us] of selfUs) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || "(anonymous)";
    const where = origin(callFrame.url, name);
    const key = `${name} ${where}:${callFrame.lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    const bucket = where.startsWith("dist/") ? where.replace(/^dist\/([^/]+).*/, "dist/$1") : where;
    origins.set(bucket, (origins.get(bucket) ?? 0) + us);
  }
  const rank = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: (100 * us) / totalUs }));
  return {
    totalMs: Math.round(totalUs / 1000),
    functions: rank(functions, top),
    origins: rank(origins, 15),
  };
}

export function formatSummary({ totalMs, functions, origins }) {
  const line = (r) => `${String(r.ms).padStart(8)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`;
  return [
    `sampled ${totalMs} ms`,
    "self time by function:",
    ...functions.map(line),
    "self time by origin:",
    ...origins.map(line),
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, flag, value] = process.argv.slice(2);
  const top = flag === "--top" ? Number(value) : 25;
  const profile = JSON.parse(readFileSync(file, "utf8"));
  process.stdout.write(`${formatSummary(summarise(profile, top))}\n`);
}
