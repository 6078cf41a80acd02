import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import { CUSTOMER_HEADER, INVOICE_HEADER, writeCsv } from "../support/ledger.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

/**
 * Exactly once, with real processes: a worker killed after the SMTP server took a message but
 * before the outcome was stored, and two workers sharing one outbox.
 */
const POLICY = {
  name: "one-step",
  minGapDays: 5,
  steps: [{ id: "s1", offsetDays: 1, channels: ["email"], tone: 1 }],
};
const DAY = "2026-03-03";
const AT = `${DAY}T08:00:00Z`;

async function ledgerWith(store: FreshStore, customers: number): Promise<string[]> {
  const ids = Array.from({ length: customers }, (_, i) => `C${String(i + 1).padStart(3, "0")}`);
  writeCsv(
    store.dir,
    "c.csv",
    CUSTOMER_HEADER,
    ids.map((id) => [
      id,
      `Customer ${id}`,
      "business",
      `${id.toLowerCase()}@example.com`,
      "",
      "SE",
      "",
      "",
      "Gatan 1",
      "",
      "111 20",
      "Stockholm",
    ]),
  );
  writeCsv(
    store.dir,
    "i.csv",
    INVOICE_HEADER,
    ids.map((id) => [`INV-${id}`, id, "2026-02-01", "2026-03-02", "SEK", "100.00"]),
  );
  await seedLedger(store.url, [
    ["customers", join(store.dir, "c.csv")],
    ["invoices", join(store.dir, "i.csv")],
  ]);
  writeFileSync(join(store.dir, "policy.json"), JSON.stringify(POLICY));
  return ids;
}

/** How many times each Message-ID reached the server. */
function arrivals(smtp: TestSmtp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of smtp.messages) counts.set(m.messageId, (counts.get(m.messageId) ?? 0) + 1);
  return counts;
}

for (const kind of STORE_KINDS) {
  describe(`${kind}: exactly once`, () => {
    let store: FreshStore;
    let smtp: TestSmtp | undefined;
    const env = (extra: Record<string, string> = {}) => ({
      OVERDUE_FROM: "Acme AB <billing@acme.example>",
      OVERDUE_LETTER_DIR: join(store.dir, "letters"),
      ...extra,
    });
    const cli = (args: string[], extra: Record<string, string> = {}) =>
      runCli(["--db", store.url, ...args], { cwd: store.dir, env: env(extra) });

    beforeEach(async () => {
      store = await freshStore(kind);
    });
    afterEach(async () => {
      await smtp?.close();
      await store.drop();
    });

    it("a worker killed after the server accepted a message: the rerun sends every other message, and that one is not sent again", async () => {
      const ids = await ledgerWith(store, 6);
      expect((await cli(["policy", "set", "policy.json"])).code).toBe(0);
      let victim: ChildProcess | undefined;
      const server = await startSmtp({
        // The third message is stored by the server; its sender dies before the 250 reply.
        beforeAccept: () => {
          if (server.messages.length === 3) victim?.kill("SIGKILL");
        },
      });
      smtp = server;
      const mail = { OVERDUE_SMTP_URL: server.url, OVERDUE_SMTP_CONNECTIONS: "1" };
      victim = spawn(
        process.execPath,
        [CLI, "--db", store.url, "run", "--as-of", DAY, "--at", AT],
        {
          cwd: store.dir,
          env: { ...process.env, OVERDUE_DATABASE_URL: undefined, ...env(mail) },
        },
      );
      const signal = await new Promise((resolve) =>
        victim?.on("close", (_code, sig) => resolve(sig)),
      );
      expect(signal).toBe("SIGKILL");
      expect(server.messages).toHaveLength(3);

      const rerun = await cli(["run", "--as-of", DAY, "--at", AT, "--json"], mail);
      expect(rerun.code, rerun.stderr).toBe(0);
      const report = JSON.parse(rerun.stdout) as {
        planned: number;
        dispatch: { sent: number; inDoubt: number };
      };
      expect(report).toMatchObject({ planned: 0, dispatch: { sent: 3, inDoubt: 1 } });

      // Every customer got its reminder, and no message reached the server twice.
      expect([...arrivals(server).values()]).toEqual([1, 1, 1, 1, 1, 1]);
      expect(new Set(server.messages.map((m) => m.to))).toEqual(
        new Set(ids.map((id) => `${id.toLowerCase()}@example.com`)),
      );
      // The in-doubt one is in the log, counted as sent, with the way to send it anyway.
      const third = server.messages[2]?.to.split("@")[0]?.toUpperCase() ?? "";
      const log = JSON.parse((await cli(["log", "--customer", third, "--json"])).stdout) as {
        status: string;
        rule: string;
      }[];
      expect(log).toContainEqual(expect.objectContaining({ status: "sent", rule: "in-doubt" }));
      // A later day's run does not resend it either.
      const later = await cli(
        ["run", "--as-of", "2026-03-04", "--at", "2026-03-04T08:00:00Z", "--json"],
        mail,
      );
      expect(later.code, later.stderr).toBe(0);
      expect(server.messages).toHaveLength(6);
    });

    it("two workers dispatching the same outbox at once send each message once", async () => {
      await ledgerWith(store, 40);
      expect((await cli(["policy", "set", "policy.json"])).code).toBe(0);
      // Plan with no mail server: the e-mails wait in the outbox for the workers.
      const plan = await cli(["run", "--as-of", DAY, "--at", AT, "--json"]);
      expect(plan.code, plan.stderr).toBe(0);
      expect(JSON.parse(plan.stdout).planned).toBe(40);

      const server = await startSmtp();
      smtp = server;
      const mail = { OVERDUE_SMTP_URL: server.url, OVERDUE_SMTP_CONNECTIONS: "3" };
      const workers = await Promise.all([
        cli(["dispatch", "--at", AT, "--json"], mail),
        cli(["dispatch", "--at", AT, "--json"], mail),
        cli(["run", "--as-of", DAY, "--at", AT, "--json"], mail),
      ]);
      for (const w of workers) expect(w.code, w.stderr).toBe(0);
      const sent = workers.slice(0, 2).map((w) => (JSON.parse(w.stdout) as { sent: number }).sent);
      const third = JSON.parse(workers[2]?.stdout ?? "{}") as {
        planned: number;
        dispatch: { sent: number };
      };
      expect(third.planned).toBe(0);
      expect((sent[0] ?? 0) + (sent[1] ?? 0) + third.dispatch.sent).toBe(40);
      expect(server.messages).toHaveLength(40);
      expect(new Set(server.messages.map((m) => m.messageId)).size).toBe(40);
    });
  });
}
