import type { Command } from "commander";
import {
  DEBTOR_KINDS,
  type DebtorKind,
  formatPercent,
  type LatePaymentRules,
} from "../compliance/domain/late-payment-rules.js";
import {
  type StatutoryInterest,
  statutoryInterest,
} from "../compliance/domain/statutory-interest.js";
import { loadLatePaymentRules } from "../compliance/load-late-payment-rules.js";
import { type CalendarDate, parseCalendarDate } from "../kernel/calendar-date.js";
import { OverdueError } from "../kernel/errors.js";
import {
  type Currency,
  formatAmount,
  formatAmountForHumans,
  parseAmount,
  parseCurrency,
} from "../kernel/money.js";
import { printJson, textTable } from "./output.js";

type InterestOptions = {
  jurisdiction?: string;
  principal?: string;
  currency?: string;
  from?: string;
  until?: string;
  debtor: string;
  contractDate?: string;
  json?: boolean;
};

/**
 * `overdue interest` computes statutory late-payment interest and the fixed compensation for
 * one invoice from the rules in `rules/` (or OVERDUE_RULES_DIR). It needs no ledger, so it
 * never opens a database. Its JSON (totalInterest, fixedCompensation, segments) is a contract
 * the acceptance checks read: add fields, never rename them.
 */
export function registerInterestCommands(program: Command): void {
  program
    .command("interest")
    .description(
      "statutory late-payment interest and fixed compensation on one invoice (EU, IT, SE, UK)",
    )
    .option("--jurisdiction <code>", "whose law: EU, IT, SE or UK (rules/late-payment.json)")
    .option("--principal <amount>", "the amount interest runs on, such as 1000.00")
    .option("--currency <code>", "ISO 4217 code of the principal")
    .option("--from <date>", "first day interest accrues, inclusive (the day after the due date)")
    .option("--until <date>", "last day interest accrues, inclusive (the payment day)")
    .option("--debtor <kind>", "business or consumer", "business")
    .option("--contract-date <date>", "when the contract was concluded (IT: before 2013, ECB + 7)")
    .option("--json", "print the result as JSON")
    // Bad input is one line on stderr (acceptance checks); `overdue interest --help` has the rest.
    .showHelpAfterError(false)
    .action(async (options: InterestOptions) => {
      const request = parseRequest(options);
      const rules = await loadLatePaymentRules();
      const result = compute(rules, request);
      if (options.json) printJson(interestJson(result, rules));
      else process.stdout.write(`${interestText(result)}\n`);
    });
}

type InterestRequest = {
  readonly jurisdiction: string;
  readonly currency: Currency;
  readonly principalMinor: bigint;
  readonly from: CalendarDate;
  readonly until: CalendarDate;
  readonly debtor: DebtorKind;
  readonly contractDate?: CalendarDate;
};

/** Every problem with the arguments is one line naming the option. */
function parseRequest(options: InterestOptions): InterestRequest {
  const jurisdiction = required(options.jurisdiction, "--jurisdiction", "EU, IT, SE or UK");
  const currency = parseCurrency(required(options.currency, "--currency", "such as EUR"));
  if (!currency.ok) throw badOption("--currency", currency.problem);
  const principalText = required(options.principal, "--principal", "such as 1000.00");
  const principal = parseAmount(principalText, currency.value);
  if (!principal.ok) throw badOption("--principal", principal.problem);
  if (principal.value <= 0n) throw badOption("--principal", "must be greater than 0");
  const debtor = DEBTOR_KINDS.find((kind) => kind === options.debtor);
  if (!debtor) throw badOption("--debtor", `"${options.debtor}" is not business or consumer`);
  const from = dateOption(required(options.from, "--from", "YYYY-MM-DD"), "--from");
  const until = dateOption(required(options.until, "--until", "YYYY-MM-DD"), "--until");
  if (from > until) throw badOption("--from", `${from} is after --until ${until}`);
  return {
    jurisdiction: jurisdiction.trim().toUpperCase(),
    currency: currency.value,
    principalMinor: principal.value,
    from,
    until,
    debtor,
    ...(options.contractDate !== undefined
      ? { contractDate: dateOption(options.contractDate, "--contract-date") }
      : {}),
  };
}

function required(value: string | undefined, option: string, hint: string): string {
  if (value === undefined || value.trim() === "") {
    throw new OverdueError("missing_option", `interest: ${option} is required (${hint})`);
  }
  return value;
}

function dateOption(text: string, option: string): CalendarDate {
  const parsed = parseCalendarDate(text);
  if (!parsed.ok) throw badOption(option, parsed.problem);
  return parsed.value;
}

function badOption(option: string, problem: string): OverdueError {
  return new OverdueError("bad_option", `interest: ${option}: ${problem}`);
}

function compute(rules: LatePaymentRules, request: InterestRequest): StatutoryInterest {
  const jurisdiction = rules.jurisdictions.get(request.jurisdiction);
  if (!jurisdiction) {
    throw badOption(
      "--jurisdiction",
      `"${request.jurisdiction}" has no rules; known: ${[...rules.jurisdictions.keys()].join(", ")}`,
    );
  }
  return statutoryInterest({
    rules: jurisdiction,
    tables: rules.tables,
    principal: { minor: request.principalMinor, currency: request.currency },
    from: request.from,
    until: request.until,
    debtor: request.debtor,
    ...(request.contractDate ? { contractDate: request.contractDate } : {}),
  });
}

function interestJson(result: StatutoryInterest, rules: LatePaymentRules) {
  const currency = result.principal.currency;
  const tableName = rules.jurisdictions.get(result.jurisdiction)?.interest.referenceTable;
  const table = tableName ? rules.tables.get(tableName) : undefined;
  return {
    jurisdiction: result.jurisdiction,
    currency: currency.code,
    principal: formatAmount(result.principal.minor, currency),
    from: result.from,
    until: result.until,
    debtor: result.debtor,
    totalInterest: formatAmount(result.totalInterestMinor, currency),
    fixedCompensation: formatAmount(result.fixedCompensationMinor, currency),
    margin: result.marginPpm === null ? null : formatPercent(result.marginPpm),
    segments: result.segments.map((segment) => ({
      from: segment.from,
      to: segment.to,
      days: segment.days,
      rate: formatPercent(segment.ratePpm),
      interest: formatAmount(segment.interestMinor, currency),
    })),
    referenceTable: table ? { name: table.name, asOf: table.asOf, source: table.source } : null,
    notes: result.notes,
  };
}

function interestText(result: StatutoryInterest): string {
  const currency = result.principal.currency;
  const money = (minor: bigint) => `${currency.code} ${formatAmountForHumans(minor, currency)}`;
  const lines = [
    `${result.jurisdiction} statutory interest on ${money(result.principal.minor)}, ` +
      `${result.debtor} debtor, ${result.from} – ${result.until} (both days included)`,
    "",
  ];
  if (result.segments.length > 0) {
    const rows = result.segments.map((segment) => [
      segment.from,
      segment.to,
      String(segment.days),
      formatPercent(segment.ratePpm),
      formatAmountForHumans(segment.interestMinor, currency),
    ]);
    lines.push(
      textTable(["from", "to", "days", "rate %", "interest"], rows, new Set([2, 3, 4])),
      "",
    );
  }
  lines.push(
    `total interest      ${money(result.totalInterestMinor)}`,
    `fixed compensation  ${money(result.fixedCompensationMinor)}`,
  );
  if (result.notes.length > 0) lines.push("", ...result.notes.map((note) => `- ${note}`));
  return lines.join("\n");
}
