import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import { CUSTOMER_HEADER, INVOICE_HEADER, writeCsv } from "../support/ledger.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";
import { SHIPPED_TEMPLATES } from "../support/templates.js";

type LogJson = { status: string; channel: string | null; rule: string; reason: string }[];

/** A user's template that threatens a lawsuit nobody configured is refused at sending. */
for (const kind of STORE_KINDS) {
  describe(`${kind}: a template with lint errors`, () => {
    let store: FreshStore;
    const ok = async (args: string[]) => {
      const result = await runCli(["--db", store.url, ...args], {
        cwd: store.dir,
        env: {
          OVERDUE_TEMPLATE_DIR: join(store.dir, "templates"),
          OVERDUE_LETTER_DIR: join(store.dir, "letters"),
          OVERDUE_FROM: "Acme Ltd <ar@acme.example>",
          OVERDUE_AUTHORIZED_ACTIONS: undefined,
        },
      });
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };

    beforeAll(async () => {
      store = await freshStore(kind);
      cpSync(SHIPPED_TEMPLATES, join(store.dir, "templates"), { recursive: true });
      writeFileSync(
        join(store.dir, "templates/en/harsh-letter.eta"),
        [
          "Subject: Invoice <%= it.numbers %>",
          "Dear <%= it.recipient.name %>,",
          "",
          "Pay <%= it.total %> to <%= it.sender.name %> within 48 hours or we will sue you.",
          "<%= it.invoiceTable %>",
          "<%= it.paymentDetails %>",
          "If you believe the invoice is wrong, tell us.",
        ].join("\n"),
      );
      writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
        [
          "G1",
          "Green Ltd",
          "business",
          "",
          "",
          "GB",
          "en-GB",
          "",
          "1 High St",
          "",
          "EC1A 1BB",
          "London",
        ],
      ]);
      writeCsv(store.dir, "i.csv", INVOICE_HEADER, [
        ["H-1", "G1", "2026-01-01", "2026-01-31", "GBP", "90.00"],
      ]);
      await seedLedger(store.url, [
        ["customers", join(store.dir, "c.csv")],
        ["invoices", join(store.dir, "i.csv")],
      ]);
      writeFileSync(
        join(store.dir, "policy.json"),
        JSON.stringify({
          name: "harsh",
          minGapDays: 1,
          steps: [{ id: "h", offsetDays: 1, channels: ["letter"], tone: 3, template: "harsh" }],
        }),
      );
      await ok(["policy", "set", "policy.json"]);
    });
    afterAll(async () => {
      await store.drop();
    });

    it("is refused, naming the line and the rule, and nothing is written or retried", async () => {
      const run = JSON.parse(
        await ok(["run", "--as-of", "2026-02-02", "--at", "2026-02-02T10:00:00Z", "--json"]),
      ) as { dispatch: { sent: number; cancelled: number; retrying: number } };
      expect(run.dispatch).toMatchObject({ sent: 0, cancelled: 1, retrying: 0 });
      const log = JSON.parse(await ok(["log", "--customer", "G1", "--json"])) as LogJson;
      const refused = log.find((e) => e.status === "refused");
      expect(refused).toMatchObject({ channel: "letter", rule: "template-lint" });
      expect(refused?.reason).toMatch(/harsh-letter\.eta:4: legal-action/);
    });
  });
}
