import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import { CUSTOMER_HEADER, INVOICE_HEADER, writeCsv } from "../support/ledger.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

type LogJson = { status: string; channel: string | null; rule: string; reason: string }[];

/**
 * A policy step that adds statutory interest and the fixed compensation: the letter lists
 * each with its reason and the total includes them; where no reference rate is known the
 * letter is refused rather than sent with a guessed figure.
 */
for (const kind of STORE_KINDS) {
  describe(`${kind}: interest and compensation on letters`, () => {
    let store: FreshStore;
    const ok = async (args: string[]) => {
      const result = await runCli(["--db", store.url, ...args], {
        cwd: store.dir,
        env: {
          OVERDUE_SMTP_URL: undefined,
          OVERDUE_FROM: "Acme AB <ar@acme.example>",
          OVERDUE_LETTER_DIR: join(store.dir, "letters"),
          OVERDUE_PAYMENT_INSTRUCTIONS: "Bankgiro 123-4567",
        },
      });
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const log = async (customer: string) =>
      JSON.parse(await ok(["log", "--customer", customer, "--json"])) as LogJson;

    beforeAll(async () => {
      store = await freshStore(kind);
      const company = (id: string, name: string) => [
        id,
        name,
        "business",
        "",
        "",
        "SE",
        "sv-SE",
        "Europe/Stockholm",
        "Storgatan 1",
        "",
        "111 20",
        "Stockholm",
      ];
      writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
        company("S1", "Solhem AB"),
        company("S2", "Sen AB"),
      ]);
      writeCsv(store.dir, "i.csv", INVOICE_HEADER, [
        ["F-1", "S1", "2024-01-01", "2024-01-31", "SEK", "10000.00"],
        ["F-2", "S2", "2024-06-01", "2024-06-30", "SEK", "2000.00"],
      ]);
      await seedLedger(store.url, [
        ["customers", join(store.dir, "c.csv")],
        ["invoices", join(store.dir, "i.csv")],
      ]);
      const policy = {
        name: "with-charges",
        minGapDays: 1,
        steps: [
          {
            id: "demand",
            offsetDays: 30,
            channels: ["letter"],
            tone: 3,
            charges: ["interest", "compensation"],
          },
        ],
      };
      writeFileSync(join(store.dir, "policy.json"), JSON.stringify(policy));
      await ok(["policy", "set", "policy.json"]);
    });
    afterAll(async () => {
      await store.drop();
    });

    it("adds interest and the 450 kr with their reasons, and a total that includes them", async () => {
      // The preview shows the letter as it will go, charges included.
      const preview = JSON.parse(
        await ok(["preview", "--customer", "S1", "--as-of", "2024-03-01", "--json"]),
      ) as { contacts: { channel: string; text: string }[] };
      expect(preview.contacts[0]?.text).toContain("Dröjsmålsränta, faktura F-1");
      // Swedish groups thousands with a no-break space.
      expect(preview.contacts[0]?.text).toMatch(/10\s548,63/u);
      await ok(["run", "--as-of", "2024-03-01", "--at", "2024-03-01T09:00:00Z"]);
      const letter = (await log("S1")).find((e) => e.channel === "letter" && e.status === "sent");
      const file = /letter written to (\S+\.pdf)/.exec(letter?.reason ?? "")?.[1] ?? "";
      const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" }).replace(
        /\s+/g,
        " ",
      );
      // 1 February – 1 March 2024 is 30 days at 4.00 % + 8 = 12.00 %:
      // 10 000 × 0.12 × 30 / 365 = 98.630… → 98,63 kr.
      expect(text).toContain("Dröjsmålsränta, faktura F-1");
      expect(text).toContain("98,63");
      expect(text).toContain("Förseningsersättning, faktura F-1");
      expect(text).toContain("450,00");
      expect(text).toContain("10 548,63");
      // Each charge says why, in the debtor's language, citing the rule.
      expect(text).toContain("12,00 % per år på 10 000,00 kr för de 30 dagarna från 2024-02-01");
      expect(text).toContain("räntelagen");
    });

    it("refuses the letter when the reference rate for the period is not known", async () => {
      // Interest from 1 July 2024 needs the Riksbank rate of 2024 H2, which is not shipped.
      const preview = JSON.parse(
        await ok(["preview", "--customer", "S2", "--as-of", "2024-07-31", "--json"]),
      ) as { contacts: unknown[]; refused: { rule: string }[] };
      expect(preview.contacts).toEqual([]);
      expect(preview.refused).toEqual([
        expect.objectContaining({ channel: "letter", rule: "charges" }),
      ]);
      await ok(["run", "--as-of", "2024-07-31", "--at", "2024-07-31T09:00:00Z"]);
      const refused = (await log("S2")).find((e) => e.status === "refused");
      expect(refused).toMatchObject({ channel: "letter", rule: "charges" });
      expect(refused?.reason).toContain("no SE reference rate known for 2024-07-01");
      expect((await log("S2")).some((e) => e.status === "sent")).toBe(false);
    });
  });
}
