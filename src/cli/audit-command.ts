import { type Command, InvalidArgumentError } from "commander";
import type { ChainAnchor } from "../audit/chain-walk.js";
import { type AuditVerification, verifyAuditLog } from "../audit/verify-audit-log.js";
import { loadRuleProfiles } from "../compliance/rule-profiles.js";
import { withDatabase } from "./context.js";
import { printJson } from "./output.js";

/** `--anchor SEQ:HASH`, as `audit verify` prints its head. */
function anchor(text: string): ChainAnchor {
  const match = /^(\d{1,18}):([0-9a-f]{64})$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError("must be SEQ:HASH as `audit verify` prints its head");
  return { seq: BigInt(match[1] as string), hash: (match[2] as string).toLowerCase() };
}

function verificationText(result: AuditVerification): string {
  const unsealed = result.unsealed ? `, ${result.unsealed} not sealed yet` : "";
  const head = result.head ? `${result.head.seq}:${result.head.hash}` : "none";
  if (result.ok && !result.head) {
    return `Audit log intact: nothing sealed yet${unsealed}; the next command that logs seals them.`;
  }
  if (result.ok) {
    return [
      `Audit log intact: ${result.sealed} sealed entries${unsealed}.`,
      `Head ${head} (keep it elsewhere: \`overdue audit verify --anchor ${head}\` later detects the newest entries deleted).`,
    ].join("\n");
  }
  return [
    `Audit log BROKEN: ${result.firstBroken?.problem}.`,
    `${result.sealed} sealed entries${unsealed}; head ${head}.`,
  ].join("\n");
}

/** `overdue audit …`: the hash-chained log checked, and a customer's history exported as evidence. */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command("audit")
    .description("the hash-chained audit log: verify it, export a customer's history");

  audit
    .command("verify")
    .description("check every sealed entry against its hash and the chain; exit 1 when broken")
    .option(
      "--anchor <seq:hash>",
      "a head printed earlier: also fail when that entry is gone or changed",
      anchor,
    )
    .option("--json", "print the outcome as JSON")
    .action(async (options: { anchor?: ChainAnchor; json?: boolean }, command: Command) => {
      const result = await withDatabase(command, (database) =>
        verifyAuditLog(database, options.anchor ? { anchor: options.anchor } : {}),
      );
      if (options.json) printJson(result);
      else process.stdout.write(`${verificationText(result)}\n`);
      if (!result.ok) process.exitCode = 1;
    });

  audit
    .command("export")
    .description("write a customer's full history as evidence: audit-<customer>.json and .pdf")
    .requiredOption("--customer <id>", "customer id")
    .option("--out <dir>", "the folder to write to", ".")
    .option("--json", "print the files and the chain's state as JSON")
    .action(
      async (options: { customer: string; out: string; json?: boolean }, command: Command) => {
        // Loaded here: pdfkit takes a while to load, and only exports need it.
        const { exportCustomerHistory } = await import("../audit/export-customer-history.js");
        const rules = await loadRuleProfiles();
        const { json, pdf, history } = await withDatabase(command, (database) =>
          exportCustomerHistory(database, options.customer, {
            dir: options.out,
            now: new Date().toISOString(),
            rules,
          }),
        );
        const { chain } = history;
        if (options.json) {
          printJson({
            customerId: history.customer.id,
            json,
            pdf,
            entries: history.entries.length,
            chain: { ok: chain.ok, head: chain.head, firstBroken: chain.firstBroken },
          });
        } else process.stdout.write(`${json}\n${pdf}\n`);
        if (!chain.ok) {
          process.stderr.write(
            `overdue: warning: the audit log is broken (${chain.firstBroken?.problem}); the export says so\n`,
          );
        }
      },
    );
}
