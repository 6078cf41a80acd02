// Payment matching at scale: precision and recall of automatic matches on a generated labelled
// set, the time to build the matcher's index and to match every line, and peak memory.
//
//   npm run build && node bench/match-quality.js     # 100,000 lines against 1,000,000 invoices
//   node bench/match-quality.js --customers 4000 --credits 5000   # quick
//
// Options: --customers N (ten open invoices each; default 100,000), --credits N (default
// 100,000), --seed N (default 2026), --threshold N (default: the matcher's), --json,
// --sweep 80,70,60 (precision and recall at other thresholds, each on a fresh index).
// Add --expose-gc before the script for heap figures after a full collection.
import { performance } from "node:perf_hooks";
import {
  evaluate,
  generateLabelledSet,
  NOISE_CATEGORIES,
  standInDecodeReference,
} from "../dist/payments/domain/labelled-credits.js";
import {
  DEFAULT_AUTO_APPLY_THRESHOLD,
  defaultNormaliseNumber,
  PaymentMatcher,
} from "../dist/payments/domain/matching.js";

const options = {
  customers: 100_000,
  credits: 100_000,
  seed: 2026,
  threshold: DEFAULT_AUTO_APPLY_THRESHOLD,
  sweep: "",
};
const args = process.argv.slice(2);
for (let at = 0; at < args.length; at++) {
  const name = args[at];
  if (name === "--json") options.json = true;
  else if (name === "--sweep") options.sweep = args[++at] ?? "";
  else if (name?.startsWith("--") && name.slice(2) in options)
    options[name.slice(2)] = Number(args[++at]);
  else throw new Error(`unknown option ${name}`);
}

const MB = 1024 * 1024;
const memory = () => {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return { rssMB: Math.round(usage.rss / MB), heapMB: Math.round(usage.heapUsed / MB) };
};
const seconds = (from) => Number(((performance.now() - from) / 1000).toFixed(2));

let started = performance.now();
const set = generateLabelledSet(options);
// The ledger as a store would hand it over: arrays of plain objects.
const invoices = [...set.invoices()];
const customers = [...set.customers()];
const generated = { seconds: seconds(started), ...memory() };

started = performance.now();
const matcher = new PaymentMatcher(invoices, customers, {
  decodeReference: standInDecodeReference,
  normaliseNumber: defaultNormaliseNumber,
});
const indexed = { seconds: seconds(started), ...memory() };

started = performance.now();
const result = evaluate(matcher, set.credits, options.threshold);
const matched = { seconds: seconds(started), ...memory() };
const peakRssMB = Math.round((process.resourceUsage().maxRSS * 1024) / MB);

const figures = {
  invoices: set.invoiceCount,
  customers: set.customerCount,
  credits: result.credits,
  threshold: options.threshold,
  precision: result.precision,
  recall: result.recall,
  autoApplied: result.autoApplied,
  autoCorrect: result.autoCorrect,
  shouldApply: result.shouldApply,
  generateSeconds: generated.seconds,
  indexSeconds: indexed.seconds,
  matchSeconds: matched.seconds,
  memory: { afterGenerate: generated, afterIndex: indexed, afterMatch: matched, peakRssMB },
  byRule: result.byRule,
  byCategory: result.byCategory,
  wrong: result.wrong.slice(0, 5),
};

if (options.json) {
  console.log(
    JSON.stringify(
      figures,
      (_key, value) => (typeof value === "bigint" ? String(value) : value),
      2,
    ),
  );
} else {
  const percent = (value, digits = 2) => `${(value * 100).toFixed(digits)} %`;
  const n = (value) => value.toLocaleString("en-US");
  console.log(
    `${n(figures.credits)} credits against ${n(figures.invoices)} open invoices of ${n(figures.customers)} customers, threshold ${figures.threshold}`,
  );
  console.log(
    `precision ${percent(figures.precision, 3)} (${n(figures.autoCorrect)} of ${n(figures.autoApplied)} automatic matches right)`,
  );
  console.log(
    `recall    ${percent(figures.recall)} (${n(figures.autoCorrect)} of ${n(figures.shouldApply)} credits with a right allocation)`,
  );
  console.log(
    `index ${figures.indexSeconds} s, match ${figures.matchSeconds} s, total ${(figures.indexSeconds + figures.matchSeconds).toFixed(2)} s (generating the ledger: ${figures.generateSeconds} s)`,
  );
  console.log(
    `memory: RSS ${generated.rssMB} MB with the ledger as objects, ${indexed.rssMB} MB with the index, peak ${peakRssMB} MB` +
      ` (heap ${generated.heapMB} → ${indexed.heapMB} → ${matched.heapMB} MB)`,
  );
  console.log("\nrule                 proposed  automatic  right");
  for (const [rule, row] of Object.entries(result.byRule)) {
    console.log(
      `${rule.padEnd(20)} ${n(row.proposed).padStart(8)} ${n(row.autoApplied).padStart(10)} ${n(row.autoCorrect).padStart(6)}`,
    );
  }
  console.log("\ncategory                      credits  automatic  right  wrong  review");
  for (const category of NOISE_CATEGORIES) {
    const row = result.byCategory[category];
    console.log(
      `${category.padEnd(28)} ${n(row.credits).padStart(8)} ${n(row.autoApplied).padStart(10)} ${n(row.autoCorrect).padStart(6)} ${n(row.autoWrong).padStart(6)} ${n(row.toReview).padStart(7)}`,
    );
  }
  for (const wrong of figures.wrong)
    console.log(`\nwrong: ${wrong.key} (${wrong.category}): ${wrong.reason}`);
}

for (const threshold of options.sweep.split(",").filter(Boolean).map(Number)) {
  const fresh = new PaymentMatcher(invoices, customers, {
    decodeReference: standInDecodeReference,
    normaliseNumber: defaultNormaliseNumber,
  });
  const swept = evaluate(fresh, set.credits, threshold);
  console.log(
    `threshold ${threshold}: precision ${(swept.precision * 100).toFixed(3)} % (${swept.autoApplied - swept.autoCorrect} wrong of ${swept.autoApplied}), recall ${(swept.recall * 100).toFixed(2)} %`,
  );
}
