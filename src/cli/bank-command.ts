import { readFile } from "node:fs/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import { sha256 } from "../audit/record-file-import.js";
import type { BankLine } from "../db/schema.js";
import { OverdueError } from "../kernel/errors.js";
import { currency, formatAmount } from "../kernel/money.js";
import { importStatements } from "../payments/bank-import.js";
import { ignoreLine, matchLine, reviewQueue } from "../payments/bank-review.js";
import { referenceSettingsFromEnv } from "../payments/reference-settings.js";
import { type CsvDateFormat, parseCsvMapping } from "../payments/statements/csv-statement.js";
import { parseStatementFileInWorker } from "../payments/statements/parse-in-worker.js";
import { STATEMENT_FORMATS, type StatementFormat } from "../payments/statements/statement.js";
import { currentUser, instant, withDatabase } from "./context.js";
import { printJson, textTable } from "./output.js";

const CSV_DATE_FORMATS: readonly CsvDateFormat[] = [
  "YYYY-MM-DD",
  "DD.MM.YYYY",
  "DD/MM/YYYY",
  "YYYYMMDD",
];

type ImportOptions = {
  format?: StatementFormat;
  json?: boolean;
  at?: string;
  threshold?: number;
  map?: string;
  account?: string;
  currency?: string;
  delimiter?: "," | ";" | "\t";
  decimal?: "." | ",";
  dateFormat?: CsvDateFormat;
};

function threshold(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 100) {
    throw new InvalidArgumentError("must be a whole number from 0 to 100");
  }
  return value;
}

const money = (minor: bigint | null, code: string) =>
  minor === null ? null : formatAmount(minor, currency(code));

/** One bank line as `bank import --json` and `bank review --json` print it. */
export function lineJson(line: BankLine) {
  const applied = line.status === "applied";
  return {
    line: String(line.id),
    key: line.key,
    amount: formatAmount(line.amount_minor, currency(line.currency)),
    creditDebit: line.credit_debit,
    currency: line.currency,
    reversal: Number(line.reversal) === 1,
    bookingDate: line.booking_date,
    valueDate: line.value_date,
    reference: line.reference,
    remittance: line.remittance,
    counterparty: { name: line.counterparty_name, account: line.counterparty_account },
    bankReference: line.bank_reference,
    status: line.status,
    ...(applied
      ? {
          invoiceIds: JSON.parse(line.invoice_ids ?? "[]") as string[],
          credit: money(line.credit_minor, line.currency),
        }
      : {}),
    ...(line.suggestion ? { suggestion: JSON.parse(line.suggestion) } : {}),
    customerId: line.customer_id,
    rule: line.rule,
    confidence: Number(line.confidence),
    reason: line.reason,
  };
}

function lineText(line: BankLine): string[] {
  const outcome =
    line.status === "applied"
      ? `→ ${(JSON.parse(line.invoice_ids ?? "[]") as string[]).join(", ")}`
      : line.status;
  return [
    String(line.id),
    line.booking_date ?? line.value_date ?? "",
    `${line.credit_debit === "DBIT" ? "-" : ""}${formatAmount(line.amount_minor, currency(line.currency))} ${line.currency}`,
    (line.counterparty_name ?? "").slice(0, 28),
    (line.reference ?? line.remittance).slice(0, 30),
    outcome,
    line.reason.slice(0, 60),
  ];
}

const LINE_HEADER = ["line", "date", "amount", "from/to", "reference / text", "outcome", "why"];

/** `overdue bank …`: statements in, matches applied or queued, the review queue worked off. */
export function addBankCommands(program: Command): void {
  const bank = program.command("bank").description("bank statements and payment matching");

  bank
    .command("import")
    .description("import a bank statement (camt.053/054, OFX, CSV) and match its payments")
    .argument("<file>", "the statement file")
    .addOption(
      new Option("--format <format>", "the file's format (default: detected)").choices(
        STATEMENT_FORMATS,
      ),
    )
    .option("--json", "print statements and lines as JSON")
    .addOption(
      new Option("--at <timestamp>", "when the import happens (ISO 8601; default now)").argParser(
        instant,
      ),
    )
    .addOption(
      new Option("--threshold <0-100>", "apply matches at or above this confidence").argParser(
        threshold,
      ),
    )
    .option("--map <pairs>", "CSV: header names, e.g. bookingDate=Datum,amount=Belopp")
    .option("--account <account>", "CSV: the account the statement is for")
    .option("--currency <code>", "CSV: the currency when no column holds it")
    .addOption(
      new Option("--delimiter <char>", "CSV: the field separator (default: detected)").choices([
        ",",
        ";",
        "\t",
      ]),
    )
    .addOption(
      new Option("--decimal <separator>", "CSV: the decimal separator").choices([".", ","]),
    )
    .addOption(
      new Option(
        "--date-format <format>",
        "CSV: how dates are written (default: detected)",
      ).choices(CSV_DATE_FORMATS),
    )
    .action(async (file: string, options: ImportOptions, command: Command) => {
      const content = await readFile(file).catch(() => {
        throw new OverdueError("unreadable_file", `cannot read ${file}`);
      });
      const statements = parseStatementFileInWorker(content, {
        fileName: file,
        ...(options.format ? { format: options.format } : {}),
        ...(options.map
          ? {
              csv: {
                columns: parseCsvMapping(options.map),
                ...(options.account ? { account: options.account } : {}),
                ...(options.currency ? { currency: options.currency } : {}),
                ...(options.delimiter ? { delimiter: options.delimiter } : {}),
                ...(options.decimal ? { decimalSeparator: options.decimal } : {}),
                ...(options.dateFormat ? { dateFormat: options.dateFormat } : {}),
              },
            }
          : {}),
      });
      const at = options.at ?? new Date().toISOString();
      const result = await withDatabase(command, (database) =>
        importStatements(database, statements, {
          file,
          sha256: sha256(content),
          at,
          by: currentUser(),
          references: referenceSettingsFromEnv(),
          withLines: options.json === true,
          ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
        }),
      );
      if (options.json) {
        printJson({
          statements: result.statements.map(({ statement, isNew, newAccount }) => ({
            id: statement.id,
            account: statement.account,
            currency: statement.currency.code,
            openingBalance: money(statement.openingBalanceMinor, statement.currency.code),
            closingBalance: money(statement.closingBalanceMinor, statement.currency.code),
            fromDate: statement.fromDate,
            toDate: statement.toDate,
            balanceProblem: statement.balanceProblem,
            alreadyImported: !isNew,
            newAccount,
          })),
          lines: result.lines.map(lineJson),
        });
        return;
      }
      for (const { statement, isNew, newAccount } of result.statements) {
        process.stdout.write(
          `${file}: statement ${statement.id} for ${statement.account}${newAccount ? " (a new account)" : ""}: ${statement.lines.length} lines${isNew ? "" : ", imported before"}\n`,
        );
        if (statement.balanceProblem) {
          process.stdout.write(`  balances do not add up: ${statement.balanceProblem}\n`);
        }
      }
      process.stdout.write(
        `${result.applied} payments applied, ${result.review} waiting for review (\`overdue bank review\`)\n`,
      );
    });

  bank
    .command("review")
    .description("bank lines waiting for a person to match them")
    .option("--json", "print the queue as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const lines = await withDatabase(command, ({ db }) => reviewQueue(db));
      if (options.json) printJson({ lines: lines.map(lineJson) });
      else if (lines.length === 0) process.stdout.write("Nothing waits for review.\n");
      else {
        process.stdout.write(`${textTable(LINE_HEADER, lines.map(lineText), new Set([2]))}\n`);
        process.stdout.write(
          "Apply one with `overdue bank match LINE INVOICE…`, or `overdue bank ignore LINE --reason TEXT`.\n",
        );
      }
    });

  bank
    .command("match")
    .description("apply a bank line under review to the invoices you name, in that order")
    .argument("<line>", "the line number from `bank review`")
    .argument("<invoices...>", "invoice ids or numbers")
    .addOption(new Option("--at <timestamp>", "when (ISO 8601; default now)").argParser(instant))
    .option("--json", "print the line as JSON")
    .action(
      async (
        lineId: string,
        invoices: string[],
        options: { at?: string; json?: boolean },
        command: Command,
      ) => {
        const actor = { at: options.at ?? new Date().toISOString(), by: currentUser() };
        const line = await withDatabase(command, (database) =>
          matchLine(database, lineId, invoices, actor),
        );
        if (options.json) printJson(lineJson(line));
        else process.stdout.write(`${textTable(LINE_HEADER, [lineText(line)], new Set([2]))}\n`);
      },
    );

  bank
    .command("ignore")
    .description("take a line off the review queue without booking it")
    .argument("<line>", "the line number from `bank review`")
    .requiredOption("--reason <text>", "why it is not a customer payment, or how it was settled")
    .addOption(new Option("--at <timestamp>", "when (ISO 8601; default now)").argParser(instant))
    .action(async (lineId: string, options: { reason: string; at?: string }, command: Command) => {
      const actor = { at: options.at ?? new Date().toISOString(), by: currentUser() };
      const line = await withDatabase(command, ({ db }) =>
        ignoreLine(db, lineId, options.reason, actor),
      );
      process.stdout.write(`bank line ${line.id} ignored: ${line.reason}\n`);
    });
}
