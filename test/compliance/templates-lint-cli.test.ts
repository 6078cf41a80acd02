import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { SHIPPED_TEMPLATE_FILES } from "../support/templates.js";

// These run the built CLI (bin/overdue.js → dist/): build with `npm run build`.
const CLEAN_SMS =
  "<%= it.sender.name %>: <%= it.total %> for <%= it.firstNumbers %> is still unpaid.\n" +
  "Pay: <%= it.paymentLine %>. Is the invoice wrong? Contact us.\n";
const THREAT_EMAIL = [
  "Subject: Final notice from <%= it.sender.name %>",
  "",
  "Please pay <%= it.total %> now.",
  '<%= it.maxDaysOverdue > 30 ? "Otherwise we will sue you" : "" %> and call the police.',
  "<%= it.paymentDetails %>",
  "If you believe the invoice is wrong, reply to this e-mail.",
  "",
].join("\n");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "overdue-lint-cli-"));
  await mkdir(join(dir, "en"));
  await writeFile(join(dir, "en", "1-sms.eta"), CLEAN_SMS);
  await writeFile(join(dir, "en", "4-email.eta"), THREAT_EMAIL);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NO_SETTINGS = {
  OVERDUE_TEMPLATE_DIR: undefined,
  OVERDUE_RULES_DIR: undefined,
  OVERDUE_AUTHORIZED_ACTIONS: undefined,
};

describe("overdue templates lint", () => {
  it("exits 1 and names the file, line and rule of each error", async () => {
    const file = join(dir, "en", "4-email.eta");
    const result = await runCli(["templates", "lint", file], { env: NO_SETTINGS });
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(`^${escapeRegExp(file)}:4:49: error legal-action: "sue" threatens or announces`),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^${escapeRegExp(file)}:4:79: error threat-arrest: "police"`),
    );
    expect(result.stderr).toBe("1 template checked: 2 errors, 0 warnings\n");
  });

  it("exits 0 for a clean file", async () => {
    const result = await runCli(["templates", "lint", join(dir, "en", "1-sms.eta")], {
      env: NO_SETTINGS,
    });
    expect(result).toMatchObject({ code: 0, stdout: "" });
  });

  it("checks every template below a folder, and allows what the sender has configured", async () => {
    const env = { ...NO_SETTINGS, OVERDUE_AUTHORIZED_ACTIONS: "legal-action" };
    const result = await runCli(["templates", "lint", dir, "--json"], { env });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      files: 2,
      errors: 1,
      warnings: 0,
      problems: [
        expect.objectContaining({
          file: join(dir, "en", "4-email.eta"),
          line: 4,
          column: 79,
          rule: "threat-arrest",
          severity: "error",
        }),
      ],
    });
  });

  it("lints the shipped library without arguments, and it passes", async () => {
    const result = await runCli(["templates", "lint"], { env: NO_SETTINGS });
    expect(result).toMatchObject({ code: 0, stdout: "" });
    expect(result.stderr).toBe(
      `${SHIPPED_TEMPLATE_FILES} templates checked: 0 errors, 0 warnings\n`,
    );
  });

  it("adds OVERDUE_TEMPLATE_DIR to the shipped library", async () => {
    const env = { ...NO_SETTINGS, OVERDUE_TEMPLATE_DIR: dir };
    const result = await runCli(["templates", "lint", "--json"], { env });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      files: SHIPPED_TEMPLATE_FILES + 2,
      errors: 2,
    });
  });

  it("says which path it cannot read", async () => {
    const missing = join(dir, "nowhere.eta");
    const result = await runCli(["templates", "lint", missing], { env: NO_SETTINGS });
    expect(result).toMatchObject({ code: 1, stderr: `overdue: cannot read ${missing}\n` });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
