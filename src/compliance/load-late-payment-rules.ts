import { join } from "node:path";
import { z } from "zod";
import { type CalendarDate, parseCalendarDate } from "../kernel/calendar-date.js";
import { OverdueError } from "../kernel/errors.js";
import { type Currency, findCurrency, parseAmount } from "../kernel/money.js";
import {
  type CompensationBand,
  DAY_COUNTS,
  DEBTOR_KINDS,
  type DebtorRules,
  type JurisdictionRules,
  type LatePaymentRules,
  parsePercent,
  RATE_RESETS,
  type ReferenceTable,
} from "./domain/late-payment-rules.js";
import { readJson, rulesDir } from "./rules-dir.js";

export const RULES_FILE = "late-payment.json";
export const RATES_FILE = "reference-rates.json";

/**
 * Reads `late-payment.json` and `reference-rates.json` from `dir` and checks them whole, so
 * that a user's edit that breaks them fails here, naming the file and the field
 * ("…/late-payment.json: UK.fixedCompensation.bands.1.amount: …"), never mid-calculation.
 */
export async function loadLatePaymentRules(dir: string = rulesDir()): Promise<LatePaymentRules> {
  const rulesFile = join(dir, RULES_FILE);
  const ratesFile = join(dir, RATES_FILE);
  // One after the other: a folder missing both files names the rules file first, every time.
  const rulesJson = await readJson(rulesFile);
  const ratesJson = await readJson(ratesFile);
  return parseLatePaymentRules(rulesJson, ratesJson, { rulesFile, ratesFile });
}

const text = z.string().min(1, "must not be empty");
const date = z
  .string()
  .refine((value) => parseCalendarDate(value).ok, "must be a date in the form YYYY-MM-DD");
const percent = z
  .string()
  .refine(
    (value) => parsePercent(value).ok,
    'must be a percentage as a string, such as "8.00" (at most 4 decimals)',
  );
const amount = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount such as "40.00"');

const tableSchema = z.strictObject({
  description: z.string().optional(),
  kind: z.enum(["changes", "half_years"]),
  source: text,
  asOf: date,
  knownUntil: date,
  knownUntilNote: z.string().optional(),
  rates: z.array(z.strictObject({ from: date, percent, note: z.string().optional() })).min(1),
});
const tablesSchema = z.record(
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, "a table name is upper case, such as ECB_MRO"),
  tableSchema,
);

const debtorSchema = z.strictObject({
  interest: z.enum(["statutory", "none", "refuse"]),
  fixedCompensation: z.boolean(),
  why: text.optional(),
  cite: text,
});
const jurisdictionSchema = z.strictObject({
  name: text,
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR"),
  currencyWhy: text,
  interest: z.strictObject({
    referenceTable: text,
    marginPercent: percent,
    rateReset: z.enum(RATE_RESETS),
    dayCount: z.enum(DAY_COUNTS),
    cite: text,
  }),
  legacyMargin: z
    .strictObject({ contractsBefore: date, marginPercent: percent, cite: text })
    .optional(),
  fixedCompensation: z
    .strictObject({
      label: text,
      bands: z.array(z.strictObject({ below: amount.optional(), amount })).min(1),
      cite: text,
    })
    .optional(),
  reminderFee: z
    .strictObject({
      label: text,
      max: amount,
      requiresAgreementAtOrigin: z.boolean(),
      stacksWithFixedCompensation: z.boolean(),
      cite: text,
    })
    .optional(),
  debtors: z.strictObject({ business: debtorSchema, consumer: debtorSchema }),
});
const rulesSchema = z.record(
  z.string().regex(/^[A-Z]{2}$/, "a jurisdiction is a two-letter code such as SE or EU"),
  jurisdictionSchema,
);

type Problem = { readonly path: string; readonly problem: string };

/** Checks parsed JSON of both files and builds the rules the domain computes with. */
export function parseLatePaymentRules(
  rulesJson: unknown,
  ratesJson: unknown,
  files: { readonly rulesFile: string; readonly ratesFile: string },
): LatePaymentRules {
  const ratesParsed = tablesSchema.safeParse(ratesJson);
  if (!ratesParsed.success) fail(files.ratesFile, firstIssue(ratesParsed.error));
  const tables = new Map<string, ReferenceTable>();
  for (const [name, raw] of Object.entries(ratesParsed.data)) {
    const built = buildTable(name, raw);
    if ("problem" in built) fail(files.ratesFile, built);
    else tables.set(name, built);
  }

  const rulesParsed = rulesSchema.safeParse(rulesJson);
  if (!rulesParsed.success) fail(files.rulesFile, firstIssue(rulesParsed.error));
  const jurisdictions = new Map<string, JurisdictionRules>();
  for (const [code, raw] of Object.entries(rulesParsed.data)) {
    const built = buildJurisdiction(code, raw, tables, files.ratesFile);
    if ("problem" in built) fail(files.rulesFile, built);
    else jurisdictions.set(code, built);
  }
  if (jurisdictions.size === 0) {
    fail(files.rulesFile, { path: "", problem: "no jurisdiction is defined" });
  }
  return { jurisdictions, tables };
}

function fail(file: string, { path, problem }: Problem): never {
  throw new OverdueError("rules_broken", `${file}: ${path || "(top level)"}: ${problem}`);
}

function firstIssue(error: z.ZodError): Problem {
  const issue = error.issues[0];
  return {
    path: issue?.path.map(String).join(".") ?? "",
    problem: issue?.message ?? "is not valid",
  };
}

function buildTable(name: string, raw: z.infer<typeof tableSchema>): ReferenceTable | Problem {
  const rates: { from: CalendarDate; ppm: bigint }[] = [];
  for (const [index, rate] of raw.rates.entries()) {
    const path = `${name}.rates.${index}.from`;
    const from = rate.from as CalendarDate;
    const previous = rates.at(-1);
    if (previous && from <= previous.from) {
      return { path, problem: `must be after the previous rate's ${previous.from} (oldest first)` };
    }
    // A half-yearly table holds one value per half-year, starting on 1 Jan or 1 Jul.
    if (raw.kind === "half_years" && !/-(01|07)-01$/.test(from)) {
      return { path, problem: "a half_years table's rates start on 1 January or 1 July" };
    }
    const ppm = parsePercent(rate.percent);
    if (ppm.ok) rates.push({ from, ppm: ppm.value });
  }
  const first = rates[0];
  if (first && raw.knownUntil < first.from) {
    return { path: `${name}.knownUntil`, problem: `is before the first rate's ${first.from}` };
  }
  return {
    name,
    kind: raw.kind,
    source: raw.source,
    asOf: raw.asOf as CalendarDate,
    knownUntil: raw.knownUntil as CalendarDate,
    rates,
  };
}

function buildJurisdiction(
  code: string,
  raw: z.infer<typeof jurisdictionSchema>,
  tables: ReadonlyMap<string, ReferenceTable>,
  ratesFile: string,
): JurisdictionRules | Problem {
  const currency = findCurrency(raw.currency);
  if (!currency) return { path: `${code}.currency`, problem: `"${raw.currency}" is not known` };
  if (!tables.has(raw.interest.referenceTable)) {
    return {
      path: `${code}.interest.referenceTable`,
      problem: `no table "${raw.interest.referenceTable}" in ${ratesFile}`,
    };
  }
  const minor = (value: string, path: string): bigint | Problem => {
    const parsed = parseAmount(value, currency);
    return parsed.ok ? parsed.value : { path, problem: parsed.problem };
  };

  let fixedCompensation: JurisdictionRules["fixedCompensation"];
  if (raw.fixedCompensation) {
    const bands = buildBands(code, raw.fixedCompensation.bands, currency);
    if ("problem" in bands) return bands;
    fixedCompensation = { ...raw.fixedCompensation, bands };
  }
  let reminderFee: JurisdictionRules["reminderFee"];
  if (raw.reminderFee) {
    const { max, ...rest } = raw.reminderFee;
    const maxMinor = minor(max, `${code}.reminderFee.max`);
    if (typeof maxMinor !== "bigint") return maxMinor;
    reminderFee = { ...rest, maxMinor };
  }

  const debtors: Partial<Record<(typeof DEBTOR_KINDS)[number], DebtorRules>> = {};
  for (const kind of DEBTOR_KINDS) {
    const debtor = raw.debtors[kind];
    const path = `${code}.debtors.${kind}`;
    if (debtor.interest !== "statutory" && !debtor.why) {
      return { path: `${path}.why`, problem: `must say why (interest is "${debtor.interest}")` };
    }
    // The fixed sum is due once interest runs (Directive 2011/7/EU Art. 6(1); lag 1981:739 4 a §).
    if (debtor.fixedCompensation && debtor.interest !== "statutory") {
      return { path: `${path}.fixedCompensation`, problem: 'needs interest: "statutory"' };
    }
    if (debtor.fixedCompensation && !fixedCompensation) {
      return { path: `${path}.fixedCompensation`, problem: `${code} has no fixedCompensation` };
    }
    debtors[kind] = debtor;
  }
  const { business, consumer } = debtors;
  if (!business || !consumer) return { path: `${code}.debtors`, problem: "is incomplete" };

  const { marginPercent, ...interest } = raw.interest;
  const legacy = raw.legacyMargin;
  return {
    code,
    name: raw.name,
    currency,
    currencyWhy: raw.currencyWhy,
    interest: { ...interest, marginPpm: ppmOf(marginPercent) },
    ...(legacy
      ? {
          legacyMargin: {
            contractsBefore: legacy.contractsBefore as CalendarDate,
            marginPpm: ppmOf(legacy.marginPercent),
            cite: legacy.cite,
          },
        }
      : {}),
    ...(fixedCompensation ? { fixedCompensation } : {}),
    ...(reminderFee ? { reminderFee } : {}),
    debtors: { business, consumer },
  };
}

/** Bands rise by `below`, and the last one, without `below`, catches every larger debt. */
function buildBands(
  code: string,
  raw: readonly { readonly below?: string | undefined; readonly amount: string }[],
  currency: Currency,
): CompensationBand[] | Problem {
  const bands: CompensationBand[] = [];
  for (const [index, band] of raw.entries()) {
    const path = `${code}.fixedCompensation.bands.${index}`;
    const amountMinor = parseAmount(band.amount, currency);
    if (!amountMinor.ok) return { path: `${path}.amount`, problem: amountMinor.problem };
    const last = index === raw.length - 1;
    if (band.below === undefined) {
      if (!last) return { path: `${path}.below`, problem: "only the last band may omit it" };
      bands.push({ amountMinor: amountMinor.value });
      continue;
    }
    if (last) return { path: `${path}.below`, problem: "the last band catches the rest: omit it" };
    const belowMinor = parseAmount(band.below, currency);
    if (!belowMinor.ok) return { path: `${path}.below`, problem: belowMinor.problem };
    const previous = bands.at(-1)?.belowMinor;
    if (previous !== undefined && belowMinor.value <= previous) {
      return { path: `${path}.below`, problem: "must be larger than the previous band's" };
    }
    bands.push({ belowMinor: belowMinor.value, amountMinor: amountMinor.value });
  }
  return bands;
}

function ppmOf(value: string): bigint {
  const parsed = parsePercent(value);
  // The schema checked the format already.
  return parsed.ok ? parsed.value : 0n;
}
