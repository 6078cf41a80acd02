import type { Command } from "commander";
import { printJson } from "./output.js";

/**
 * `overdue templates lint [PATH…]` checks message templates for threats, misleading or abusive
 * wording and missing required elements, printing `FILE:LINE:COLUMN: error|warning RULE: …`
 * per problem; it exits 1 when there is an error, 0 otherwise (the acceptance checks and CI rely
 * on the exit code). Without PATH it checks the shipped templates and OVERDUE_TEMPLATE_DIR.
 */
export function registerTemplateCommands(program: Command): void {
  const templates = program
    .command("templates")
    .description("the message templates: check their wording");

  templates
    .command("lint")
    .description(
      "check templates for threats, implied lawyers or authorities, abuse, fees, literal " +
        "amounts and missing required elements; exit 1 on errors (rules: OVERDUE_RULES_DIR; " +
        "allowed actions: OVERDUE_AUTHORIZED_ACTIONS)",
    )
    .argument(
      "[paths...]",
      "template files, or folders to check every *.eta below (default: the shipped templates " +
        "and OVERDUE_TEMPLATE_DIR)",
    )
    .option("--json", "print { files, errors, warnings, problems } as JSON")
    .action(async (paths: string[], options: { json?: boolean }) => {
      // Loaded on use, like the other message commands: most commands never need them.
      const { templateLintSettingsFromEnv } = await import(
        "../compliance/load-template-lint-rules.js"
      );
      const { lintTemplateFiles } = await import("../compliance/lint-template-files.js");
      const { SHIPPED_TEMPLATE_DIR } = await import("../dunning/messages/load-message-library.js");
      const custom = process.env.OVERDUE_TEMPLATE_DIR?.trim();
      const targets =
        paths.length > 0 ? paths : [SHIPPED_TEMPLATE_DIR, ...(custom ? [custom] : [])];
      const report = await lintTemplateFiles(
        targets,
        await templateLintSettingsFromEnv(process.env),
      );
      if (options.json) {
        printJson(report);
      } else {
        for (const p of report.problems) {
          process.stdout.write(
            `${p.file}:${p.line}:${p.column}: ${p.severity} ${p.rule}: ${p.message}\n`,
          );
        }
        const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
        process.stderr.write(
          `${plural(report.files, "template")} checked: ${plural(report.errors, "error")}, ` +
            `${plural(report.warnings, "warning")}\n`,
        );
      }
      if (report.errors > 0) process.exitCode = 1;
    });
}
