import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, calendarDate } from "../../src/kernel/calendar-date.js";
import { runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import { CUSTOMER_HEADER, INVOICE_HEADER, PAYMENT_HEADER, writeCsv } from "../support/ledger.js";
import { type Received, startSmtp, type TestSmtp } from "../support/smtp.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

/**
 * A month of daily runs through the CLI against a real SMTP server: the ladder step by step,
 * one message per customer and channel, nothing twice, and every way the chase stops.
 */
const POLICY = {
  name: "loop",
  minGapDays: 5,
  steps: [
    { id: "s1", offsetDays: 1, channels: ["email"], tone: 1 },
    { id: "s2", offsetDays: 8, channels: ["email", "sms"], tone: 2 },
    { id: "s3", offsetDays: 15, channels: ["call"], tone: 3 },
    { id: "s4", offsetDays: 22, channels: ["letter"], tone: 4 },
  ],
};

type LogJson = {
  status: string;
  channel: string | null;
  rule: string;
  reason: string;
  contactId: string | null;
}[];
type TaskJson = { id: string; kind: string; customerId: string; invoiceIds: string[] }[];

const address = (street: string, postal: string, city: string) => [street, "", postal, city];

for (const kind of STORE_KINDS) {
  describe(`${kind}: the daily loop`, () => {
    let store: FreshStore;
    let smtp: TestSmtp;
    const letters = () => join(store.dir, "letters");
    const env = (withSmtp: boolean) => ({
      OVERDUE_SMTP_URL: withSmtp ? smtp.url : undefined,
      OVERDUE_FROM: "Acme AB <billing@acme.example>",
      OVERDUE_LETTER_DIR: letters(),
      OVERDUE_COMPANY_ADDRESS: "Kungsgatan 5; 111 43 Stockholm",
      OVERDUE_PAYMENT_INSTRUCTIONS: "Bankgiro 123-4567",
      OVERDUE_SMS_URL: undefined,
    });
    const cli = (args: string[], withSmtp = true) =>
      runCli(["--db", store.url, ...args], { cwd: store.dir, env: env(withSmtp) });
    const ok = async (args: string[], withSmtp = true) => {
      const result = await cli(args, withSmtp);
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const run = (day: string, withSmtp = true) =>
      ok(["run", "--as-of", day, "--at", `${day}T08:00:00Z`, "--json"], withSmtp);
    const log = async (customer: string) =>
      JSON.parse(await ok(["log", "--customer", customer, "--json"])) as LogJson;
    /** The e-mails each day's run delivered, by recipient. */
    const mailByDay = new Map<string, Received[]>();
    const mailTo = (to: string) =>
      [...mailByDay.entries()].flatMap(([day, list]) =>
        list.filter((m) => m.to === to).map((m) => ({ day, ...m })),
      );

    beforeAll(async () => {
      store = await freshStore(kind);
      smtp = await startSmtp();
      writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
        [
          "S1",
          "Solhem AB",
          "business",
          "ar@solhem.example",
          "+46701740605",
          "SE",
          "",
          "",
          ...address("Storgatan 1", "111 20", "Stockholm"),
        ],
        [
          "I1",
          "Rossi Srl",
          "business",
          "amministrazione@rossi.example",
          "",
          "IT",
          "",
          "",
          ...address("Via Roma 1", "20121", "Milano"),
        ],
        [
          "N1",
          "No Mail Ltd",
          "business",
          "",
          "",
          "GB",
          "",
          "",
          ...address("1 High Street", "SW1A 1AA", "London"),
        ],
        [
          "P1",
          "Paid In Time AB",
          "business",
          "ekonomi@paid.example",
          "",
          "SE",
          "",
          "",
          ...address("Torget 2", "411 01", "Göteborg"),
        ],
        [
          "D1",
          "Disputing AB",
          "business",
          "ekonomi@dispute.example",
          "",
          "SE",
          "",
          "",
          ...address("Gatan 3", "211 20", "Malmö"),
        ],
        [
          "W1",
          "Written Off AB",
          "business",
          "ekonomi@gone.example",
          "",
          "SE",
          "",
          "",
          ...address("Vägen 5", "752 20", "Uppsala"),
        ],
        [
          "X1",
          "Placed AB",
          "business",
          "ekonomi@placed.example",
          "",
          "SE",
          "",
          "",
          ...address("Vägen 6", "752 20", "Uppsala"),
        ],
        [
          "K1",
          "Promising AB",
          "business",
          "ekonomi@promise.example",
          "",
          "SE",
          "",
          "",
          ...address("Vägen 4", "752 20", "Uppsala"),
        ],
      ]);
      writeCsv(store.dir, "i.csv", INVOICE_HEADER, [
        ["A1", "S1", "2026-02-01", "2026-03-02", "SEK", "1000.00"],
        ["A2", "S1", "2026-02-05", "2026-03-05", "SEK", "500.00"],
        ["R1", "I1", "2026-02-01", "2026-03-02", "EUR", "80.00"],
        ["B1", "N1", "2026-02-01", "2026-03-02", "GBP", "50.00"],
        ["PP1", "P1", "2026-02-01", "2026-03-02", "SEK", "300.00"],
        ["DD1", "D1", "2026-02-01", "2026-03-02", "SEK", "400.00"],
        ["KK1", "K1", "2026-02-01", "2026-03-02", "SEK", "600.00"],
        ["WW1", "W1", "2026-02-01", "2026-03-02", "SEK", "700.00"],
        ["XX1", "X1", "2026-02-01", "2026-03-02", "SEK", "800.00"],
      ]);
      await seedLedger(store.url, [
        ["customers", join(store.dir, "c.csv")],
        ["invoices", join(store.dir, "i.csv")],
      ]);
      writeFileSync(join(store.dir, "policy.json"), JSON.stringify(POLICY));
      await ok(["policy", "set", "policy.json"]);

      // Day one: plan without a mail server, so the e-mails wait in the outbox; P1 pays in
      // between; then dispatch sends the rest with the balance checked again.
      await run("2026-03-03", false);
      writeCsv(store.dir, "p.csv", PAYMENT_HEADER, [
        ["PAY1", "P1", "PP1", "2026-03-03", "SEK", "300.00", ""],
      ]);
      await ok(["import", "payments", "p.csv"]);
      let seen = 0;
      await ok(["dispatch", "--at", "2026-03-03T09:00:00Z"]);
      mailByDay.set("2026-03-03", smtp.messages.slice(seen));
      seen = smtp.messages.length;

      await ok([
        "dispute",
        "DD1",
        "--reason",
        "wrong quantity delivered",
        "--at",
        "2026-03-04T10:00:00Z",
      ]);
      await ok([
        "invoice",
        "write-off",
        "WW1",
        "--reason",
        "bankrupt",
        "--at",
        "2026-03-04T10:00:00Z",
      ]);
      await ok([
        "invoice",
        "place",
        "XX1",
        "--agency",
        "Inkasso AB",
        "--at",
        "2026-03-04T10:00:00Z",
      ]);
      await ok(["promise", "KK1", "--date", "2026-03-12", "--at", "2026-03-04T11:00:00Z"]);
      for (let day = calendarDate("2026-03-04"); day <= "2026-03-31"; day = addDays(day, 1)) {
        await run(day);
        if (day === "2026-03-10") await run(day); // a second run the same day sends nothing new
        mailByDay.set(day, smtp.messages.slice(seen));
        seen = smtp.messages.length;
      }
    }, 240_000);

    afterAll(async () => {
      await smtp.close();
      await store.drop();
    });

    it("walks the ladder one step at a time, one e-mail per customer per day, and stops after the last step", () => {
      expect(mailTo("ar@solhem.example").map((m) => m.day)).toEqual([
        "2026-03-03", // A1 s1
        "2026-03-06", // A2 s1
        "2026-03-10", // A1 s2
        "2026-03-13", // A2 s2
      ]);
      const ids = smtp.messages.map((m) => m.messageId);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("writes e-mails in the customer's language with every chased invoice number and a PDF statement", () => {
      const [first] = mailTo("ar@solhem.example");
      expect(first?.text).toContain("A1");
      expect(first?.text).toMatch(/påminnelse|förfall/i);
      expect(first?.html).toContain("A1");
      expect(first?.attachments.map((a) => a.contentType)).toEqual(["application/pdf"]);
      const statement = join(store.dir, "statement.pdf");
      writeFileSync(statement, first?.attachments[0]?.content ?? "");
      const text = execFileSync("pdftotext", ["-layout", statement, "-"], { encoding: "utf8" });
      expect(text).toContain("A1");
      expect(text).toContain("Solhem AB");
      const [italian] = mailTo("amministrazione@rossi.example");
      expect(italian?.text).toContain("R1");
      expect(italian?.text).toMatch(/sollecito|scadenza|scaduta/i);
    });

    it("does not send to a customer who paid between planning and sending", async () => {
      expect(mailTo("ekonomi@paid.example")).toEqual([]);
      expect(await log("P1")).toContainEqual(
        expect.objectContaining({ status: "refused", rule: "paid" }),
      );
    });

    it("stops at a dispute and logs why", async () => {
      expect(mailTo("ekonomi@dispute.example").map((m) => m.day)).toEqual(["2026-03-03"]);
      expect(await log("D1")).toContainEqual(
        expect.objectContaining({ status: "refused", rule: "dispute" }),
      );
    });

    it("sends nothing more about an invoice written off or placed with an agency", async () => {
      expect(mailTo("ekonomi@gone.example").map((m) => m.day)).toEqual(["2026-03-03"]);
      expect(mailTo("ekonomi@placed.example").map((m) => m.day)).toEqual(["2026-03-03"]);
      expect(await log("W1")).toContainEqual(
        expect.objectContaining({ status: "refused", rule: "written_off" }),
      );
      expect(await log("X1")).toContainEqual(
        expect.objectContaining({
          status: "refused",
          rule: "placed",
          reason: expect.stringContaining("Inkasso AB"),
        }),
      );
    });

    it("pauses for a promise, then resumes where it stopped and gives the collector a task when it is broken", async () => {
      expect(mailTo("ekonomi@promise.example").map((m) => m.day)).toEqual([
        "2026-03-03",
        "2026-03-13",
      ]);
      const tasks = JSON.parse(await ok(["tasks", "--json"])) as TaskJson;
      expect(tasks).toContainEqual(
        expect.objectContaining({ kind: "broken_promise", customerId: "K1", invoiceIds: ["KK1"] }),
      );
    });

    it("sends SMS through the development provider, which logs them and counts them as sent", async () => {
      const sms = (await log("S1")).filter((e) => e.channel === "sms" && e.status === "sent");
      expect(sms).toHaveLength(2);
      expect(sms[0]?.reason).toContain("development SMS provider");
    });

    it("puts a call on the worklist with a script, and records its outcome", async () => {
      const tasks = JSON.parse(await ok(["tasks", "--json"])) as (TaskJson[number] & {
        script: string;
      })[];
      const call = tasks.find((t) => t.kind === "call" && t.customerId === "S1");
      expect(call?.script).toContain("A1");
      await ok([
        "call",
        "log",
        call?.id ?? "",
        "--outcome",
        "no-answer",
        "--at",
        "2026-04-01T09:00:00Z",
      ]);
      const after = JSON.parse(await ok(["tasks", "--json"])) as TaskJson;
      expect(after.map((t) => t.id)).not.toContain(call?.id);
    });

    it("writes letters as PDFs with the recipient's address and the invoice numbers, a letter instead of e-mail where there is none", () => {
      const files = readdirSync(letters(), { recursive: true, encoding: "utf8" }).filter((f) =>
        f.endsWith(".pdf"),
      );
      const texts = files.map((f) =>
        execFileSync("pdftotext", ["-layout", join(letters(), f), "-"], { encoding: "utf8" }),
      );
      const n1 = texts.filter((t) => t.includes("No Mail Ltd"));
      // B1: s1 and s2 by letter (no e-mail), the call step has no phone, s4 is a letter.
      expect(n1.length).toBeGreaterThanOrEqual(2);
      for (const text of n1) {
        expect(text).toContain("1 High Street");
        expect(text).toContain("SW1A 1AA");
        expect(text).toContain("B1");
      }
      const s1 = texts.filter((t) => t.includes("Solhem AB"));
      expect(s1.some((t) => t.includes("Storgatan 1") && t.includes("A1"))).toBe(true);
    });
  });
}
