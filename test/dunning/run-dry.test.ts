import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { planDailyRun } from "../../src/dunning/plan-daily-run.js";
import { runPolicies } from "../../src/dunning/policy-store.js";
import { calendarDate } from "../../src/kernel/calendar-date.js";
import { runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import { CUSTOMER_HEADER, INVOICE_HEADER, writeCsv } from "../support/ledger.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

/** `overdue policy set` and `overdue run --dry-run`: the plan the daily run makes, on both stores. */
type RunJson = {
  policy: string;
  contacts: {
    customerId: string;
    channel: string;
    tone: number;
    fallbackFrom?: string;
    invoices: { invoiceId: string; stepId: string; open: string }[];
  }[];
};

const POLICY = {
  name: "three-steps",
  minGapDays: 5,
  steps: [
    { id: "s1", offsetDays: 1, channels: ["email"], tone: 1 },
    { id: "s2", offsetDays: 10, channels: ["email"], tone: 2 },
    { id: "s3", offsetDays: 20, channels: ["email", "letter"], tone: 3 },
  ],
};

for (const kind of STORE_KINDS) {
  describe(kind, () => {
    let store: FreshStore;
    const cli = (...args: string[]) => runCli(["--db", store.url, ...args], { cwd: store.dir });
    const plan = async (asOf: string): Promise<RunJson> => {
      const result = await cli("run", "--as-of", asOf, "--dry-run", "--json");
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as RunJson;
    };

    beforeAll(async () => {
      store = await freshStore(kind);
      writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
        [
          "S1",
          "Solhem AB",
          "business",
          "ar@solhem.example",
          "",
          "SE",
          "",
          "",
          "Storgatan 1",
          "",
          "111 20",
          "Stockholm",
        ],
        [
          "N1",
          "No Mail Srl",
          "business",
          "",
          "",
          "IT",
          "",
          "",
          "Via Roma 1",
          "",
          "20121",
          "Milano",
        ],
      ]);
      writeCsv(store.dir, "i.csv", INVOICE_HEADER, [
        ["A1", "S1", "2026-02-01", "2026-03-02", "SEK", "1000.00"],
        ["A2", "S1", "2026-02-10", "2026-03-12", "SEK", "500.00"],
        ["M1", "S1", "2026-05-19", "2026-06-18", "SEK", "200.00"],
        ["B1", "N1", "2026-02-01", "2026-03-02", "EUR", "80.00"],
      ]);
      await seedLedger(store.url, [
        ["customers", join(store.dir, "c.csv")],
        ["invoices", join(store.dir, "i.csv")],
      ]);
    });
    afterAll(async () => {
      await store.drop();
    });

    it("uses the shipped playbook until a policy is set, moving steps off weekends and holidays", async () => {
      // M1 is due Thursday 2026-06-18; the friendly step's day is midsommarafton, a Friday
      // Swedish banks close, so it goes out on Monday the 22nd.
      const before = await plan("2026-06-21");
      expect(before.policy).toBe("default");
      const m1 = (p: RunJson) =>
        p.contacts.flatMap((c) => c.invoices).filter((i) => i.invoiceId === "M1");
      expect(m1(before)).toEqual([]);
      expect(m1(await plan("2026-06-22"))).toEqual([
        expect.objectContaining({ stepId: "friendly" }),
      ]);
    });

    it("sets a policy from the contract's JSON and plans its first step the day after the due date", async () => {
      writeFileSync(join(store.dir, "policy.json"), JSON.stringify(POLICY));
      const set = await cli("policy", "set", "policy.json");
      expect(set.code, set.stderr).toBe(0);

      expect((await plan("2026-03-02")).contacts).toEqual([]);
      const due = await plan("2026-03-03");
      expect(due.policy).toBe("three-steps");
      expect(
        due.contacts.map((c) => [
          c.customerId,
          c.channel,
          c.invoices.map((i) => [i.invoiceId, i.stepId]),
        ]),
      ).toEqual([
        ["N1", "letter", [["B1", "s1"]]],
        ["S1", "email", [["A1", "s1"]]],
      ]);
      expect(due.contacts[0]?.fallbackFrom).toBe("email");
    });

    it("lists every due invoice of a customer in one message per channel", async () => {
      const later = await plan("2026-03-20");
      const s1 = later.contacts.filter((c) => c.customerId === "S1");
      expect(s1.map((c) => c.channel)).toEqual(["email"]);
      expect(s1[0]?.invoices.map((i) => [i.invoiceId, i.open])).toEqual([
        ["A1", "1000.00"],
        ["A2", "500.00"],
      ]);
    });

    it("refuses a policy that does not validate, naming each problem, and keeps the old one", async () => {
      writeFileSync(
        join(store.dir, "bad.json"),
        JSON.stringify({
          name: "bad",
          minGapDays: 5,
          steps: [{ id: "s1", offsetDays: 1, channels: ["fax"], tone: 9 }],
        }),
      );
      const bad = await cli("policy", "set", "bad.json");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("bad.json: steps.0.channels.0:");
      expect(bad.stderr).toContain("bad.json: steps.0.tone:");
      expect((await plan("2026-03-03")).policy).toBe("three-steps");
    });

    it("follows a segment's own policy for the customers in it, and the default for the rest", async () => {
      const italy = {
        ...POLICY,
        name: "italy",
        segment: { countries: ["IT"] },
        steps: [{ id: "it1", offsetDays: 3, channels: ["letter"], tone: 2 }],
      };
      writeFileSync(join(store.dir, "italy.json"), JSON.stringify(italy));
      const unsegmented = await cli("policy", "add", "policy.json");
      expect(unsegmented.code).toBe(1);
      expect(unsegmented.stderr).toContain("no segment");
      const added = await cli("policy", "add", "italy.json");
      expect(added.code, added.stderr).toBe(0);
      const steps = (p: RunJson) =>
        p.contacts.map((c) => [c.customerId, c.invoices.map((i) => i.stepId)]);
      // N1 is in Italy: its ladder starts on day 3, the Swedish customer's on day 1.
      expect(steps(await plan("2026-03-03"))).toEqual([["S1", ["s1"]]]);
      expect(steps(await plan("2026-03-05"))).toEqual([
        ["N1", ["it1"]],
        ["S1", ["s1"]],
      ]);
      const all = JSON.parse((await cli("policy", "show", "--all")).stdout);
      expect(all.segmented.map((p: { name: string }) => p.name)).toEqual(["italy"]);
      expect(all.fallback.name).toBe("three-steps");
    });

    it("chooses a policy by the customer's risk rating, imported with the customers", async () => {
      const solhem = ["S1", "Solhem AB", "business", "ar@solhem.example", "", "SE", "", ""];
      const address = ["Storgatan 1", "", "111 20", "Stockholm"];
      writeCsv(
        store.dir,
        "bad-risk.csv",
        [...CUSTOMER_HEADER, "risk"],
        [[...solhem, ...address, "extreme"]],
      );
      const refused = await cli("import", "customers", "bad-risk.csv");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("bad-risk.csv:2: risk:");
      writeCsv(
        store.dir,
        "risk.csv",
        [...CUSTOMER_HEADER, "risk"],
        [[...solhem, ...address, "high"]],
      );
      expect((await cli("import", "customers", "risk.csv")).code).toBe(0);
      const risky = {
        ...POLICY,
        name: "high-risk",
        segment: { risks: ["high"] },
        steps: [{ id: "h1", offsetDays: 0, channels: ["email"], tone: 2 }],
      };
      writeFileSync(join(store.dir, "risky.json"), JSON.stringify(risky));
      const added = await cli("policy", "add", "risky.json");
      expect(added.code, added.stderr).toBe(0);
      const contacts = (await plan("2026-03-02")).contacts;
      expect(contacts.map((c) => [c.customerId, c.invoices.map((i) => i.stepId)])).toEqual([
        ["S1", ["h1"]],
      ]);
    });

    it("plans the same, however many customers are planned together", async () => {
      const database = await openDatabase(store.url);
      try {
        const policies = await runPolicies(database);
        const plan = (chunkSize: number) =>
          planDailyRun(database, calendarDate("2026-03-20"), policies, () => true, {
            chunkSize,
          });
        const whole = await plan(5000);
        expect(whole.contacts.length).toBeGreaterThan(1);
        expect(await plan(1)).toEqual(whole);
      } finally {
        await database.close();
      }
    });

    it("a dry run records nothing: the same day's plan is still there to send afterwards", async () => {
      const first = await plan("2026-03-03");
      expect(await plan("2026-03-03")).toEqual(first);
      const log = await cli("log", "--customer", "S1", "--json");
      expect(JSON.parse(log.stdout)).toEqual([]);
    });
  });
}
