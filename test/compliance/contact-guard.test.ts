import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import { CUSTOMER_HEADER, INVOICE_HEADER, writeCsv } from "../support/ledger.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

/**
 * The guard in the daily loop, through the CLI: a text outside the debtor's hours waits for
 * them and then goes out once; a call after a conversation waits out Regulation F's seven
 * quiet days (across the daylight-saving switch; the US profile keeps them for business
 * debtors too, as best practice); a US consumer dispute stays open until the verification is
 * recorded as sent.
 */
const POLICY = {
  name: "guarded",
  minGapDays: 1,
  steps: [
    { id: "s1", offsetDays: 1, channels: ["sms"], tone: 1 },
    { id: "s2", offsetDays: 2, channels: ["call"], tone: 2 },
    { id: "s3", offsetDays: 3, channels: ["call"], tone: 2 },
  ],
};

type LogJson = {
  at: string;
  status: string;
  channel: string | null;
  rule: string;
  reason: string;
}[];
type RunJson = { dispatch: { sent: number; delayed: number; cancelled: number } };

for (const kind of STORE_KINDS) {
  describe(`${kind}: the contact guard`, () => {
    let store: FreshStore;
    const env = (extra: Record<string, string> = {}) => ({
      OVERDUE_SMTP_URL: undefined,
      OVERDUE_SMS_URL: undefined,
      OVERDUE_FROM: "Acme Inc <billing@acme.example>",
      OVERDUE_LETTER_DIR: join(store.dir, "letters"),
      ...extra,
    });
    const cli = (args: string[], extra?: Record<string, string>) =>
      runCli(["--db", store.url, ...args], { cwd: store.dir, env: env(extra) });
    const ok = async (args: string[], extra?: Record<string, string>) => {
      const result = await cli(args, extra);
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const run = async (asOf: string, at: string) =>
      JSON.parse(await ok(["run", "--as-of", asOf, "--at", at, "--json"])) as RunJson;
    const log = async (customer: string) =>
      JSON.parse(await ok(["log", "--customer", customer, "--json"])) as LogJson;

    beforeAll(async () => {
      store = await freshStore(kind);
      const person = (id: string, name: string, phone: string, kind: string) => [
        id,
        name,
        kind,
        "",
        phone,
        "US",
        "en",
        "America/New_York",
        "1 Main Street",
        "",
        "10001",
        "New York",
      ];
      writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
        person("U1", "Doe Plumbing LLC", "+12125550123", "business"),
        person("U2", "John Roe", "+12125550124", "consumer"),
        // Known in two places: contacted only when it suits both.
        [
          "U3",
          "Coast To Coast Inc",
          "business",
          "",
          "+12125550125",
          "US",
          "en-US",
          "America/New_York; America/Los_Angeles",
          "",
          "",
          "",
          "",
        ],
      ]);
      writeCsv(store.dir, "i.csv", INVOICE_HEADER, [
        ["J1", "U1", "2026-02-01", "2026-03-01", "USD", "120.00"],
        ["R1", "U2", "2026-02-01", "2026-03-01", "USD", "80.00"],
        ["K1", "U3", "2026-03-15", "2026-04-01", "USD", "40.00"],
      ]);
      await seedLedger(store.url, [
        ["customers", join(store.dir, "c.csv")],
        ["invoices", join(store.dir, "i.csv")],
      ]);
      writeFileSync(join(store.dir, "policy.json"), JSON.stringify(POLICY));
      await ok(["policy", "set", "policy.json"]);
      await ok(["dispute", "R1", "--reason", "not my debt", "--at", "2026-03-01T15:00:00Z"]);
    });
    afterAll(async () => {
      await store.drop();
    });

    it("holds a text sent at 05:00 in New York until 08:00 there, then sends it once", async () => {
      const early = await run("2026-03-02", "2026-03-02T10:00:00Z");
      expect(early.dispatch).toMatchObject({ sent: 0, delayed: 1 });
      const delayed = (await log("U1")).filter((e) => e.status === "delayed");
      expect(delayed).toHaveLength(1);
      expect(delayed[0]).toMatchObject({ channel: "sms", rule: "US-TIME-01" });
      expect(delayed[0]?.reason).toContain("it is 05:00 there");
      expect(delayed[0]?.reason).toContain("2026-03-02T13:00:00.000Z");

      // A minute before the window opens nothing goes; at 08:00 it does, and only once.
      expect((await run("2026-03-02", "2026-03-02T12:59:00Z")).dispatch.sent).toBe(0);
      expect((await run("2026-03-02", "2026-03-02T13:00:00Z")).dispatch.sent).toBe(1);
      expect((await run("2026-03-02", "2026-03-02T14:00:00Z")).dispatch.sent).toBe(0);
      const sms = (await log("U1")).filter((e) => e.channel === "sms" && e.status === "sent");
      expect(sms).toHaveLength(1);
      // Every text to a US debtor says how to opt out of more (12 CFR 1006.6(e)).
      expect(sms[0]?.reason).toContain("Reply STOP to get no more texts about this.");
    });

    it("waits seven days after a conversation before the next call, counting that day (12 CFR 1006.14(b)(2)(i)(B))", async () => {
      expect((await run("2026-03-03", "2026-03-03T15:00:00Z")).dispatch.sent).toBe(1);
      const tasks = JSON.parse(await ok(["tasks", "--json"])) as {
        id: string;
        customerId: string;
      }[];
      const call = tasks.find((t) => t.customerId === "U1");
      expect(call).toBeDefined();
      await ok([
        "call",
        "log",
        call?.id ?? "",
        "--outcome",
        "reached",
        "--at",
        "2026-03-03T15:30:00Z",
      ]);

      const next = await run("2026-03-04", "2026-03-04T15:00:00Z");
      expect(next.dispatch).toMatchObject({ sent: 0, delayed: 1 });
      const wait = (await log("U1")).filter((e) => e.status === "delayed" && e.channel === "call");
      expect(wait[0]?.rule).toBe("US-FREQ-01");
      // Day 1 is 3 March; the 10th is the first free day, and New York is on summer time by
      // then (8 March): 08:00 EDT is 12:00 UTC.
      expect(wait[0]?.reason).toContain("2026-03-10T12:00:00.000Z");

      expect((await run("2026-03-09", "2026-03-09T20:00:00Z")).dispatch.sent).toBe(0);
      expect((await run("2026-03-10", "2026-03-10T12:00:00Z")).dispatch.sent).toBe(1);
      const calls = (await log("U1")).filter(
        (e) => e.channel === "call" && e.status === "sent" && e.rule === "ladder",
      );
      expect(calls).toHaveLength(2);
    });

    it("confirms an opt-out once on that channel, and a stop of all contact once by letter", async () => {
      await ok(["contact", "stop", "U1", "--channel", "sms", "--at", "2026-03-10T13:00:00Z"]);
      await ok(["contact", "stop", "U1", "--channel", "sms", "--at", "2026-03-10T13:01:00Z"]);
      await ok(["contact", "stop", "U2", "--at", "2026-03-10T13:00:00Z"]);
      expect((await run("2026-03-10", "2026-03-10T13:05:00Z")).dispatch.sent).toBe(2);
      expect((await run("2026-03-11", "2026-03-11T15:00:00Z")).dispatch.sent).toBe(0);
      const texts = (await log("U1")).filter((e) => e.channel === "sms" && e.status === "sent");
      expect(texts).toHaveLength(2);
      expect(texts[1]?.reason).toContain("This is the only confirmation we send");
      expect(texts[1]?.reason).not.toContain("Reply STOP");
      const letters = (await log("U2")).filter(
        (e) => e.channel === "letter" && e.status === "sent",
      );
      expect(letters).toHaveLength(1);
      const file = /letter written to (\S+\.pdf)/.exec(letters[0]?.reason ?? "")?.[1] ?? "";
      const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" }).replace(
        /\s+/g,
        " ",
      );
      expect(text).toContain("has stopped contacting you about invoice R1");
    });

    it("waits for a time inside the window in every zone the debtor is known in", async () => {
      // 2 April 14:00 UTC is 10:00 in New York but 07:00 in Los Angeles: wait for 08:00 there.
      await run("2026-04-02", "2026-04-02T14:00:00Z");
      const wait = (await log("U3")).find((e) => e.status === "delayed");
      expect(wait).toMatchObject({ channel: "sms", rule: "US-TIME-01" });
      expect(wait?.reason).toContain("America/Los_Angeles (it is 07:00 there)");
      expect(wait?.reason).toContain("2026-04-02T15:00:00.000Z");
      await run("2026-04-02", "2026-04-02T15:00:00Z");
      const sent = (await log("U3")).filter((e) => e.status === "sent" && e.channel === "sms");
      expect(sent).toHaveLength(1);
    });

    it("keeps a US consumer dispute open until verification is sent", async () => {
      const early = await cli(["dispute", "R1", "--reject", "the debt is valid"]);
      expect(early.code).toBe(1);
      expect(early.stderr).toContain("US-DISP-01");
      expect(early.stderr).toContain("--verification-sent");
      await ok(["dispute", "R1", "--verification-sent", "copy of the invoice mailed on 5 March"]);
      await ok(["dispute", "R1", "--reject", "the debt is valid"]);
      const entries = await log("U2");
      expect(entries.map((e) => e.rule)).toEqual(
        expect.arrayContaining(["dispute", "verification"]),
      );
    });
  });
}

/**
 * A US consumer debt's first written contact carries the validation notice, a text waits for
 * it, and a firm reminder waits out the validation period: binding when an agency collects
 * (Regulation F), and kept as best practice when the business collects its own.
 */
const ROLES = ["third_party_agency", "creditor_own_name"] as const;
for (const [kind, role] of STORE_KINDS.flatMap((k) => ROLES.map((r) => [k, r] as const))) {
  describe(`${kind}: the validation notice (12 CFR 1006.34), ${role}`, () => {
    let store: FreshStore;
    let smtp: TestSmtp;
    const cli = (args: string[]) =>
      runCli(["--db", store.url, ...args], {
        cwd: store.dir,
        env: {
          OVERDUE_COLLECTOR_ROLE: role,
          OVERDUE_SMTP_URL: smtp.url,
          OVERDUE_SMS_URL: undefined,
          OVERDUE_FROM: "Acme Recovery <desk@acme.example>",
          OVERDUE_COMPANY_ADDRESS: "100 Collins Ave; Miami FL 33139",
          OVERDUE_LETTER_DIR: join(store.dir, "letters"),
        },
      });
    const ok = async (args: string[]) => {
      const result = await cli(args);
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const run = async (asOf: string, at: string) =>
      JSON.parse(await ok(["run", "--as-of", asOf, "--at", at, "--json"])) as RunJson;
    const log = async () => JSON.parse(await ok(["log", "--customer", "V1", "--json"])) as LogJson;

    beforeAll(async () => {
      store = await freshStore(kind);
      smtp = await startSmtp();
      writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
        [
          "V1",
          "Vera Vance",
          "consumer",
          "vera@example.com",
          "+13055550100",
          "US",
          "en-US",
          "America/New_York",
          "7 Ocean Drive",
          "",
          "33139",
          "Miami FL",
        ],
      ]);
      writeCsv(store.dir, "i.csv", INVOICE_HEADER, [
        ["V-100", "V1", "2026-02-01", "2026-03-01", "USD", "250.00"],
      ]);
      await seedLedger(store.url, [
        ["customers", join(store.dir, "c.csv")],
        ["invoices", join(store.dir, "i.csv")],
      ]);
      writeFileSync(
        join(store.dir, "policy.json"),
        JSON.stringify({
          name: "agency",
          minGapDays: 1,
          steps: [
            { id: "s1", offsetDays: 1, channels: ["sms"], tone: 1 },
            { id: "s2", offsetDays: 3, channels: ["email"], tone: 3 },
          ],
        }),
      );
      await ok(["policy", "set", "policy.json"]);
    });
    afterAll(async () => {
      await smtp.close();
      await store.drop();
    });

    it("sends the written notice before the first text, with the period's end and the rights", async () => {
      const first = await run("2026-03-02", "2026-03-02T15:00:00Z");
      // The text waits; the notice it planned goes out as a letter in the same pass.
      expect(first.dispatch).toMatchObject({ delayed: 1, sent: 1 });
      const entries = await log();
      expect(entries.find((e) => e.status === "delayed")).toMatchObject({
        channel: "sms",
        rule: "US-VAL-01",
      });
      const letter = entries.find((e) => e.channel === "letter" && e.status === "sent");
      // Sent Monday 2 March: receipt assumed on Monday 9 March (five business days), the
      // period ends 30 days later.
      expect(letter?.reason).toContain("validation notice, period ends 2026-04-08");
      const file = /letter written to (\S+\.pdf)/.exec(letter?.reason ?? "")?.[1] ?? "";
      const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" }).replace(
        /\s+/g,
        " ",
      );
      // Only a debt collector says it is one; a creditor collecting its own debt must not.
      if (role === "third_party_agency") {
        expect(text).toContain("Acme Recovery is a debt collector");
      } else {
        expect(text).not.toContain("debt collector");
        expect(text).toContain("This notice from Acme Recovery is about an amount you owe us");
      }
      expect(text).toContain(
        "Call or write to us by Apr 8, 2026 to dispute all or part of the debt",
      );
      expect(text).toContain("www.cfpb.gov/debt-collection");
      expect(text).toContain("you owed $250.00");

      // Fifteen minutes later the text goes.
      expect((await run("2026-03-02", "2026-03-02T15:20:00Z")).dispatch.sent).toBe(1);
      expect((await log()).filter((e) => e.channel === "sms" && e.status === "sent")).toHaveLength(
        1,
      );
    });

    it("holds a firm reminder until the validation period is over (15 U.S.C. 1692g(b))", async () => {
      const firm = await run("2026-03-04", "2026-03-04T15:00:00Z");
      expect(firm.dispatch).toMatchObject({ delayed: 1, sent: 0 });
      const wait = (await log()).find((e) => e.status === "delayed" && e.channel === "email");
      expect(wait).toMatchObject({ rule: "US-VAL-05" });
      expect(wait?.reason).toContain("2026-04-08");
      expect((await run("2026-04-08", "2026-04-08T15:00:00Z")).dispatch.sent).toBe(0);
      // The 9th is free; e-mail keeps the 08:00 window in New York (12:00 UTC in April).
      expect((await run("2026-04-09", "2026-04-09T11:00:00Z")).dispatch.sent).toBe(0);
      expect((await run("2026-04-09", "2026-04-09T12:00:00Z")).dispatch.sent).toBe(1);
      expect(smtp.messages.filter((m) => m.to === "vera@example.com")).toHaveLength(1);
    });
  });
}
