import { createReadStream } from "node:fs";
import { access, constants, readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { DEFAULT_DATABASE } from "../db/database.js";
import { runDemo } from "../demo/run-demo.js";
import { type Policy, parsePolicy } from "../dunning/domain/policy.js";
import { runPolicies, storePolicy } from "../dunning/policy-store.js";
import type { CalendarDate } from "../kernel/calendar-date.js";
import { OverdueError } from "../kernel/errors.js";
import { agingReport } from "../ledger/aging-report.js";
import { parseColumnMap } from "../ledger/import/csv-records.js";
import { IMPORT_KINDS, type ImportKind } from "../ledger/import/import-csv.js";
import { importLedgerFile } from "../ledger/import/import-ledger-file.js";
import { agingJson, agingText } from "./aging-command.js";
import { registerAuditCommands } from "./audit-command.js";
import { addBankCommands } from "./bank-command.js";
import { addCollectionsCommands } from "./collections.js";
import { asOfDate, currentUser, today, withDatabase } from "./context.js";
import { registerInterestCommands } from "./interest-command.js";
import { printJson } from "./output.js";
import { progressReporter } from "./progress.js";
import { registerReferenceCommands } from "./reference-command.js";
import { registerTemplateCommands } from "./templates-command.js";

const program = new Command()
  .name("overdue")
  .description("Receivables collection for small businesses")
  .option(
    "--db <file|postgres://…>",
    `ledger store (env OVERDUE_DATABASE_URL; default ${DEFAULT_DATABASE})`,
  )
  .showHelpAfterError();

program
  .command("import")
  .description("import customers, invoices or payments from a CSV file (all rows or none)")
  .addArgument(new Command().createArgument("<kind>", "what the file holds").choices(IMPORT_KINDS))
  .argument("<file>", "CSV file with a header row")
  .option("--map <pairs>", "header names of your file: invoice_id=Number,amount=Total")
  .option("--json", "print the outcome as JSON")
  .action(
    async (
      kind: ImportKind,
      file: string,
      options: { map?: string; json?: boolean },
      command: Command,
    ) => {
      const columnMap = parseColumnMap(options.map);
      await access(file, constants.R_OK).catch(() => {
        throw new OverdueError("unreadable_file", `cannot read ${file}`);
      });
      const progress = progressReporter(file);
      const report = await withDatabase(command, (database) =>
        importLedgerFile(database, kind, createReadStream(file), {
          file,
          columnMap,
          now: new Date().toISOString(),
          by: currentUser(),
          onError: (e) => process.stderr.write(`${file}:${e.line}: ${e.field}: ${e.problem}\n`),
          onProgress: progress.update,
        }),
      );
      progress.finish();
      if (options.json) printJson(report);
      else if (report.ok) {
        process.stdout.write(
          `${file}: ${report.rows} rows: ${report.inserted} new, ${report.updated} updated, ${report.unchanged} unchanged\n`,
        );
      } else {
        const problem =
          report.rows === 0
            ? "the file cannot be read"
            : `${report.failedRows} of ${report.rows} rows have errors`;
        process.stderr.write(`${file}: ${problem}; nothing was imported\n`);
      }
      if (!report.ok) process.exitCode = 1;
    },
  );

program
  .command("aging")
  .description("receivables by days past due, per currency and customer, with DSO")
  .addOption(
    new Option("--as-of <date>", "the day to age on (YYYY-MM-DD; default today)").argParser(
      asOfDate,
    ),
  )
  .option("--json", "print the report as JSON")
  .option("--all", "list every customer, not only the most overdue")
  .action(
    async (options: { asOf?: CalendarDate; json?: boolean; all?: boolean }, command: Command) => {
      const asOf = options.asOf ?? today();
      const report = await withDatabase(command, (database) => agingReport(database, asOf));
      if (options.json) printJson(agingJson(report));
      else process.stdout.write(`${agingText(report, options.all ? null : 15)}\n`);
    },
  );

const policy = program.command("policy").description("the dunning ladders runs follow");
const POLICY_FILE =
  "policy JSON: { name, minGapDays, steps: [{ id, offsetDays, channels, tone }], segment? }";
policy
  .command("set")
  .description("make the policy in FILE.json the default for every run")
  .argument("<file>", POLICY_FILE)
  .action(async (file: string, _options: unknown, command: Command) => {
    const parsed = await readPolicyFile(file);
    if (!parsed) return;
    await withDatabase(command, (database) =>
      storePolicy(database, parsed, { now: new Date().toISOString(), makeDefault: true }),
    );
    process.stdout.write(
      `policy "${parsed.name}" (${parsed.steps.length} steps) is now the default\n`,
    );
  });
policy
  .command("add")
  .description(
    "store a policy for a segment of customers (its `segment`: kind and/or countries); the default covers the rest",
  )
  .argument("<file>", POLICY_FILE)
  .action(async (file: string, _options: unknown, command: Command) => {
    const parsed = await readPolicyFile(file);
    if (!parsed) return;
    await withDatabase(command, (database) =>
      storePolicy(database, parsed, { now: new Date().toISOString(), makeDefault: false }),
    );
    process.stdout.write(`policy "${parsed.name}" applies to ${JSON.stringify(parsed.segment)}\n`);
  });
policy
  .command("show")
  .description("print the default policy as JSON (with --all: every policy runs choose from)")
  .option("--all", "the default and every segment policy")
  .action(async (options: { all?: boolean }, command: Command) => {
    const set = await withDatabase(command, runPolicies);
    printJson(options.all ? set : set.fallback);
  });

/** A policy file, validated; problems are printed as FILE: path: problem and exit 1. */
async function readPolicyFile(file: string): Promise<Policy | undefined> {
  const text = await readFile(file, "utf8").catch(() => {
    throw new OverdueError("unreadable_file", `cannot read ${file}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new OverdueError("bad_policy", `${file}: not JSON: ${(error as Error).message}`);
  }
  const parsed = parsePolicy(json);
  if (!parsed.ok) {
    for (const p of parsed.problems) process.stderr.write(`${file}: ${p.path}: ${p.problem}\n`);
    process.exitCode = 1;
    return undefined;
  }
  return parsed.policy;
}

addCollectionsCommands(program);
registerReferenceCommands(program);
registerInterestCommands(program);
registerTemplateCommands(program);
registerAuditCommands(program);
addBankCommands(program);

program
  .command("demo")
  .description("create a ledger with a realistic demo company and print its aging")
  .addOption(new Option("--as-of <date>", "the demo's today (default today)").argParser(asOfDate))
  .option(
    "--seed <n>",
    "random seed, for a repeatable company",
    (v) => Number.parseInt(v, 10),
    2026,
  )
  .option("--customers <n>", "how many customers", (v) => Number.parseInt(v, 10), 300)
  .option("--force", "replace the data in an existing --db")
  .action(
    async (
      options: { asOf?: CalendarDate; seed: number; customers: number; force?: boolean },
      command: Command,
    ) => {
      const { db } = command.optsWithGlobals<{ db?: string }>();
      await runDemo({
        url: db ?? process.env.OVERDUE_DATABASE_URL,
        asOf: options.asOf ?? today(),
        seed: options.seed,
        customers: options.customers,
        force: options.force ?? false,
        print: (text) => process.stdout.write(`${text}\n`),
      });
    },
  );

// A reader that stops early (`overdue aging --json | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof OverdueError) {
    process.stderr.write(`overdue: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(
      `overdue: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 70;
  }
}
