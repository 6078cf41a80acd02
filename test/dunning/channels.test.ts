import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import { CUSTOMER_HEADER, INVOICE_HEADER, writeCsv } from "../support/ledger.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

/** Delivery outcomes per channel: refusals, deferrals, approval, registered post, an SMS provider. */
const POLICY = {
  name: "channels",
  minGapDays: 1,
  steps: [
    { id: "s1", offsetDays: 1, channels: ["email", "sms"], tone: 1 },
    { id: "s2", offsetDays: 5, channels: ["certified_letter"], tone: 4, requiresApproval: true },
  ],
};
type Log = {
  status: string;
  channel: string | null;
  rule: string;
  reason: string;
  contactId: string | null;
}[];
type SmsRequest = { headers: IncomingHttpHeaders; body: { to: string; text: string } };

for (const kind of STORE_KINDS) {
  describe(`${kind}: channels`, () => {
    let store: FreshStore;
    let smtp: TestSmtp;
    let smsServer: Server;
    const sms: SmsRequest[] = [];
    let smsUrl = "";
    let previewSubject = "";
    const env = () => ({
      OVERDUE_SMTP_URL: smtp.url,
      OVERDUE_FROM: "Acme AB <billing@acme.example>",
      OVERDUE_LETTER_DIR: join(store.dir, "letters"),
      OVERDUE_SMS_URL: smsUrl,
      OVERDUE_SMS_TOKEN: "secret-token",
    });
    const ok = async (...args: string[]) => {
      const result = await runCli(["--db", store.url, ...args], { cwd: store.dir, env: env() });
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const log = async (customer: string) =>
      JSON.parse(await ok("log", "--customer", customer, "--json")) as Log;

    beforeAll(async () => {
      store = await freshStore(kind);
      smtp = await startSmtp({
        refuse: ["nobody@bad.example"],
        defer: new Map([["busy@slow.example", 1]]),
      });
      smsServer = createServer((request, response) => {
        let body = "";
        request.on("data", (d) => {
          body += d;
        });
        request.on("end", () => {
          sms.push({ headers: request.headers, body: JSON.parse(body) });
          response.writeHead(202).end("{}");
        });
      });
      await new Promise<void>((resolve) => smsServer.listen(0, "127.0.0.1", resolve));
      smsUrl = `http://127.0.0.1:${(smsServer.address() as AddressInfo).port}/sms`;
      const street = ["Gatan 1", "", "111 20", "Stockholm"];
      writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
        [
          "OK1",
          "Good Payer AB",
          "business",
          "ar@good.example",
          "+46701740605",
          "SE",
          "",
          "",
          ...street,
        ],
        ["BAD1", "Bad Address AB", "business", "nobody@bad.example", "", "SE", "", "", ...street],
        ["TMP1", "Slow Server AB", "business", "busy@slow.example", "", "SE", "", "", ...street],
      ]);
      writeCsv(store.dir, "i.csv", INVOICE_HEADER, [
        ["G-1", "OK1", "2026-02-01", "2026-03-02", "SEK", "100.00"],
        ["B-1", "BAD1", "2026-02-01", "2026-03-02", "SEK", "200.00"],
        ["T-1", "TMP1", "2026-02-01", "2026-03-02", "SEK", "300.00"],
      ]);
      await seedLedger(store.url, [
        ["customers", join(store.dir, "c.csv")],
        ["invoices", join(store.dir, "i.csv")],
      ]);
      writeFileSync(join(store.dir, "policy.json"), JSON.stringify(POLICY));
      await ok("policy", "set", "policy.json");
      const preview = JSON.parse(
        await ok("preview", "--customer", "OK1", "--as-of", "2026-03-03", "--json"),
      ) as {
        contacts: { channel: string; subject: string }[];
      };
      previewSubject = preview.contacts.find((c) => c.channel === "email")?.subject ?? "";
      await ok("run", "--as-of", "2026-03-03", "--at", "2026-03-03T08:00:00Z");
    }, 120_000);

    afterAll(async () => {
      await smtp.close();
      await new Promise((resolve) => smsServer.close(resolve));
      await store.drop();
    });

    it("previews exactly the e-mail the run then sends", () => {
      expect(previewSubject).not.toBe("");
      expect(smtp.messages.find((m) => m.to === "ar@good.example")?.subject).toBe(previewSubject);
    });

    it("sends SMS through the HTTP provider with the token and an idempotency key", () => {
      expect(sms).toHaveLength(1);
      expect(sms[0]?.body.to).toBe("+46701740605");
      expect(sms[0]?.body.text).toContain("G-1");
      expect(sms[0]?.headers.authorization).toBe("Bearer secret-token");
      expect(sms[0]?.headers["idempotency-key"]).toBe("2026-03-03/sms/OK1");
    });

    it("records a refused address as failed and sends a letter instead", async () => {
      expect(smtp.messages.filter((m) => m.to === "nobody@bad.example")).toEqual([]);
      const entries = await log("BAD1");
      expect(entries).toContainEqual(
        expect.objectContaining({ status: "failed", channel: "email" }),
      );
      expect(entries).toContainEqual(
        expect.objectContaining({ status: "sent", channel: "letter", rule: "fallback" }),
      );
    });

    it("retries a deferred e-mail later, and it then arrives once", async () => {
      expect(await log("TMP1")).toContainEqual(
        expect.objectContaining({ status: "delayed", rule: "retry" }),
      );
      expect(smtp.messages.filter((m) => m.to === "busy@slow.example")).toEqual([]);
      await ok("dispatch", "--at", "2026-03-03T08:00:30Z"); // before the back-off: nothing
      expect(smtp.messages.filter((m) => m.to === "busy@slow.example")).toEqual([]);
      await ok("dispatch", "--at", "2026-03-03T08:02:00Z");
      await ok("dispatch", "--at", "2026-03-03T09:00:00Z");
      expect(smtp.messages.filter((m) => m.to === "busy@slow.example")).toHaveLength(1);
    });

    it("holds a step that needs approval, sends it once approved, as a letter for registered post", async () => {
      await ok("run", "--as-of", "2026-03-07", "--at", "2026-03-07T08:00:00Z");
      const waiting = (await log("OK1")).find((e) => e.rule === "approval");
      expect(waiting?.channel).toBe("certified_letter");
      const id = waiting?.contactId ?? "";
      expect(
        (await log("OK1")).filter((e) => e.channel === "certified_letter" && e.status === "sent"),
      ).toEqual([]);

      await ok("approve", id);
      await ok("dispatch", "--at", "2026-03-07T09:00:00Z");
      const sent = (await log("OK1")).find(
        (e) => e.channel === "certified_letter" && e.status === "sent",
      );
      const file = /letter written to (\S+\.pdf)/.exec(sent?.reason ?? "")?.[1] ?? "";
      const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
      expect(text).toMatch(/REKOMMENDERAT/i);
      expect(text).toContain("G-1");

      await ok("letter", "posted", id, "--tracking", "RR123456789SE");
      expect(await log("OK1")).toContainEqual(
        expect.objectContaining({
          rule: "posted",
          reason: expect.stringContaining("RR123456789SE"),
        }),
      );
    });
  });
}
