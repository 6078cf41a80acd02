import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBaseLedger } from "../support/base-ledger.js";
import { runCli } from "../support/cli.js";
import { queryRows } from "../support/ledger.js";
import { type FreshStore, freshStore, STORE_KINDS, type StoreKind } from "../support/stores.js";

/**
 * The audit log through the CLI: a history made by people and by runs, every entry with who
 * did it and sealed into the hash chain; the store refusing changes; and an attacker with
 * database access (who drops the triggers) caught by `audit verify` at the first broken link.
 */

type Verification = {
  ok: boolean;
  entries: number;
  sealed: number;
  unsealed: number;
  head: { seq: string; hash: string } | null;
  firstBroken: { kind: string; seq: string | null; logId: string | null; problem: string } | null;
};
type LogJson = {
  at: string;
  status: string;
  channel: string | null;
  rule: string;
  reason: string;
  contactId: string | null;
  actor: string | null;
  seq: string | null;
}[];

/** SQL run as an attacker with the database's credentials would: straight at the store. */
async function attack(kind: StoreKind, url: string, text: string, params: unknown[] = []) {
  if (kind === "postgres") {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(text, params);
    } finally {
      await client.end();
    }
    return;
  }
  const handle = new BetterSqlite3(url);
  try {
    // The same statements as for PostgreSQL, whose $1, $2, … come in order in each of them.
    handle.prepare(text.replace(/\$\d+/g, "?")).run(...params);
  } finally {
    handle.close();
  }
}

const DROP_TRIGGERS: Record<StoreKind, readonly string[]> = {
  sqlite: ["drop trigger contact_log_seal_only", "drop trigger contact_log_no_delete"],
  postgres: ["drop trigger contact_log_append_only on contact_log"],
};

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

for (const kind of STORE_KINDS) {
  describe(`${kind}: the hash-chained audit log`, () => {
    let store: FreshStore;
    const cli = (args: string[], user = "anna") =>
      runCli(["--db", store.url, ...args], {
        cwd: store.dir,
        env: {
          OVERDUE_USER: user,
          OVERDUE_SMTP_URL: undefined,
          OVERDUE_SMS_URL: undefined,
          OVERDUE_LETTER_DIR: join(store.dir, "letters"),
        },
      });
    const ok = async (args: string[], user?: string) => {
      const result = await cli(args, user);
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const verify = async (...extra: string[]) => {
      const result = await cli(["audit", "verify", "--json", ...extra]);
      return { code: result.code, ...(JSON.parse(result.stdout) as Verification) };
    };
    const log = async (customer: string) =>
      JSON.parse(await ok(["log", "--customer", customer, "--json"])) as LogJson;
    const bySeq = async (seq: string) => {
      const [row] = await queryRows(store.url, `select * from contact_log where seq = ${seq}`);
      if (!row) throw new Error(`no entry with seq ${seq}`);
      return row;
    };
    let files: ReturnType<typeof writeBaseLedger>;
    const ofx = join(import.meta.dirname, "../fixtures/bank/ofx102-us-checking.ofx");

    beforeAll(async () => {
      store = await freshStore(kind);
      files = writeBaseLedger(store.dir);
      await ok(["import", "customers", files.customers]);
      await ok(["import", "invoices", files.invoices]);
      await ok(["import", "payments", files.payments]);
      await ok(["promise", "I2", "--date", "2026-03-15", "--at", "2026-03-05T09:00:00Z"]);
      await ok(["dispute", "I3", "--reason", "never ordered", "--at", "2026-03-06T09:00:00Z"]);
      await ok([
        "dispute",
        "I3",
        "--reject",
        "delivery note signed",
        "--at",
        "2026-03-06T11:00:00Z",
      ]);
      await ok(["promise", "I6", "--date", "2026-03-30", "--at", "2026-03-06T12:00:00Z"]);
      await ok(
        ["invoice", "write-off", "I5", "--reason", "bankrupt", "--at", "2026-03-07T09:00:00Z"],
        "bob",
      );
      await ok(["contact", "stop", "C3", "--channel", "sms", "--at", "2026-03-07T10:00:00Z"]);
      await ok(["bank", "import", ofx, "--at", "2026-03-08T07:00:00Z"]);
      const review = JSON.parse(await ok(["bank", "review", "--json"])) as {
        lines: { line: string; amount: string }[];
      };
      const line = review.lines.find((l) => l.amount === "75.25")?.line ?? "";
      await ok(["bank", "match", line, "I6", "--at", "2026-03-08T10:00:00Z"], "carl");
      // No SMTP: e-mails are planned and wait; letters are written.
      await ok(["run", "--as-of", "2026-03-20", "--at", "2026-03-20T08:00:00Z"]);
    });
    afterAll(async () => store?.drop());

    it("seals every entry a command writes, and verify passes", async () => {
      const result = await verify();
      expect(result.code).toBe(0);
      expect(result.ok).toBe(true);
      expect(result.firstBroken).toBeNull();
      expect(result.unsealed).toBe(0);
      expect(result.sealed).toBe(result.entries);
      expect(result.entries).toBeGreaterThan(8);
      expect(result.head?.seq).toBe(String(result.sealed));
      expect(result.head?.hash).toMatch(/^[0-9a-f]{64}$/);
      const human = await cli(["audit", "verify"]);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain(`Audit log intact: ${result.sealed} sealed entries.`);
      expect(human.stdout).toContain(`${result.head?.seq}:${result.head?.hash}`);
    });

    it("records who did each thing: people by name, the system's runs as overdue", async () => {
      const c1 = await log("C1");
      expect(c1).toContainEqual(
        expect.objectContaining({ status: "refused", rule: "promise", actor: "anna" }),
      );
      expect(c1).toContainEqual(
        expect.objectContaining({ rule: "broken-promise", actor: "overdue" }),
      );
      expect(c1.filter((e) => e.status === "planned" && e.rule === "ladder")).not.toEqual([]);
      for (const entry of c1) expect(entry.seq).toMatch(/^\d+$/);
      expect(await log("C3")).toContainEqual(
        expect.objectContaining({ rule: "written_off", actor: "bob" }),
      );
      expect(await log("C3")).toContainEqual(
        expect.objectContaining({ rule: "opt-out", channel: "sms", actor: "anna" }),
      );
      expect(await log("C4")).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            status: "refused",
            rule: "bank-match",
            actor: "carl",
            reason: expect.stringContaining("I6 49.99"),
          }),
          expect.objectContaining({ status: "refused", rule: "promise-kept", actor: "overdue" }),
        ]),
      );
      expect(await log("C2")).toContainEqual(
        expect.objectContaining({
          status: "planned",
          rule: "dispute-closed",
          actor: "anna",
          reason: expect.stringContaining("rejected by anna (delivery note signed)"),
        }),
      );
    });

    it("logs each imported file once, for the system, with its SHA-256 and row count", async () => {
      const system = await queryRows(
        store.url,
        "select rule, reason, actor, seq from contact_log where customer_id = '*' order by id",
      );
      expect(system.map((r) => r.rule)).toEqual([
        "import-customers",
        "import-invoices",
        "import-payments",
        "import-bank-statement",
      ]);
      expect(system[0]?.reason).toContain(`(sha256 ${sha256(files.customers)}): 5 rows`);
      expect(system[2]?.reason).toContain(`(sha256 ${sha256(files.payments)}): 5 rows`);
      expect(system[3]?.reason).toContain(`(sha256 ${sha256(ofx)}): 4 rows`);
      for (const row of system) {
        expect(row.actor).toBe("anna");
        expect(row.seq).not.toBeNull();
      }
    });

    it("exports a customer's history as JSON and as a PDF to read", async () => {
      const out = join(store.dir, "evidence");
      const printed = JSON.parse(
        await ok(["audit", "export", "--customer", "C1", "--out", out, "--json"]),
      ) as { json: string; pdf: string; chain: { ok: boolean } };
      expect(printed.json).toBe(join(out, "audit-C1.json"));
      expect(printed.pdf).toBe(join(out, "audit-C1.pdf"));
      expect(printed.chain.ok).toBe(true);

      const history = JSON.parse(readFileSync(printed.json, "utf8"));
      const stored = await queryRows(
        store.url,
        "select id, seq, hash, actor from contact_log where customer_id = 'C1' order by id",
      );
      expect(history.customer).toMatchObject({ id: "C1", name: "Nordic Tools AB" });
      expect(history.chain).toMatchObject({ ok: true, firstBroken: null });
      expect(
        history.entries
          .map((e: { logId: string; seq: string; hash: string; actor: string }) => ({
            id: e.logId,
            seq: e.seq,
            hash: e.hash,
            actor: e.actor,
          }))
          .sort((a: { id: string }, b: { id: string }) => Number(a.id) - Number(b.id)),
      ).toEqual(stored);
      const times = history.entries.map((e: { at: string }) => e.at);
      expect(times).toEqual([...times].sort());
      // Sweden's profile keeps records 7 years after the last entry.
      const last = String(times.at(-1)).slice(0, 10);
      expect(history.retention).toEqual({
        profile: "SE",
        years: 7,
        lastActivity: last,
        keepAtLeastUntil: `${Number(last.slice(0, 4)) + 7}${last.slice(4)}`,
      });
      expect(history.invoices.map((i: { number: string }) => i.number)).toEqual(["I1", "I2", "I8"]);
      expect(history.invoices[0].allocations).toEqual([
        { paymentId: "P1", amount: "1000.00", date: "2026-02-10" },
      ]);
      expect(history.payments).toEqual([expect.objectContaining({ id: "P1", amount: "1200.00" })]);
      expect(history.promises).toEqual([
        expect.objectContaining({ invoice: "I2", takenBy: "anna", status: "broken" }),
      ]);

      const text = execFileSync("pdftotext", ["-layout", printed.pdf, "-"], { encoding: "utf8" });
      expect(text).toContain("Audit history");
      expect(text).toContain("Nordic Tools AB (C1)");
      expect(text).toContain("Audit chain intact at export");
      expect(text).toContain(
        `Keep these records at least until ${history.retention.keepAtLeastUntil}`,
      );
      expect(text).toMatch(/Page 1 of \d+/);
      for (const entry of history.entries as { seq: string; hash: string; rule: string }[]) {
        expect(text).toContain(`seq ${entry.seq}, log id`);
        expect(text).toContain(entry.hash.slice(0, 16));
      }
      expect(text).toMatch(/refused +promise +by anna/);
      expect(text).toMatch(/planned +email +ladder +by overdue/);

      const plain = await ok(["audit", "export", "--customer", "C3"]);
      expect(plain).toBe("audit-C3.json\naudit-C3.pdf\n");
      expect(existsSync(join(store.dir, "audit-C3.pdf"))).toBe(true);
    });

    it("says so when asked to export a customer it does not know", async () => {
      const result = await cli(["audit", "export", "--customer", "NOPE"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe("overdue: no customer NOPE\n");
    });

    it("refuses to change or delete an entry through the store itself", async () => {
      const tries = [
        "update contact_log set reason = 'nothing happened' where seq = 3",
        "update contact_log set seq = 999 where seq = 3",
        "update contact_log set hash = null, seq = null where seq = 3",
        "delete from contact_log where seq = 4",
        ...(kind === "postgres" ? ["truncate contact_log"] : []),
      ];
      for (const text of tries) {
        await expect(attack(kind, store.url, text), text).rejects.toThrow(/append-only/);
      }
      expect((await verify()).ok).toBe(true);
    });

    it("finds an entry changed behind the triggers' back, by its seq", async () => {
      for (const text of DROP_TRIGGERS[kind]) await attack(kind, store.url, text);
      const original = await bySeq("3");
      await attack(kind, store.url, "update contact_log set reason = $1 where seq = 3", [
        "nothing happened",
      ]);
      const broken = await verify();
      expect(broken.code).toBe(1);
      expect(broken.ok).toBe(false);
      expect(broken.firstBroken).toEqual({
        kind: "changed",
        seq: "3",
        logId: original.id,
        problem: `entry seq 3 (log id ${original.id}) was changed: its content no longer matches its hash`,
      });
      const human = await cli(["audit", "verify"]);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(
        `Audit log BROKEN: entry seq 3 (log id ${original.id}) was changed`,
      );

      // The hash is of the content: put back, the chain holds again.
      await attack(kind, store.url, "update contact_log set reason = $1 where seq = 3", [
        original.reason,
      ]);
      expect((await verify()).ok).toBe(true);
    });

    it("finds a forged entry with a made-up hash", async () => {
      const { head } = await verify();
      const seq = String(Number(head?.seq) + 1);
      await attack(
        kind,
        store.url,
        "insert into contact_log (at, customer_id, status, rule, reason, actor, seq, hash) values ($1, 'C1', 'sent', 'ladder', 'a reminder that was never sent', 'anna', $2, $3)",
        ["2026-03-21T08:00:00.000Z", seq, "ab".repeat(32)],
      );
      const forged = await verify();
      expect(forged.code).toBe(1);
      expect(forged.firstBroken).toMatchObject({ kind: "unlinked", seq });
      expect(forged.firstBroken?.problem).toContain(`entry seq ${seq}`);
      await attack(kind, store.url, "delete from contact_log where seq = $1", [seq]);
      expect((await verify()).ok).toBe(true);
    });

    it("finds the newest entries deleted only against a head printed before", async () => {
      const { head } = await verify();
      const anchor = `${head?.seq}:${head?.hash}`;
      await attack(kind, store.url, "delete from contact_log where seq = $1", [head?.seq]);
      // Nothing after it to break: the chain alone cannot tell.
      expect((await verify()).ok).toBe(true);
      const anchored = await verify("--anchor", anchor);
      expect(anchored.code).toBe(1);
      expect(anchored.firstBroken).toMatchObject({ kind: "anchor", seq: head?.seq });
      expect(anchored.firstBroken?.problem).toContain(`entry seq ${head?.seq} is missing: deleted`);

      // A later entry takes the freed seq; the anchor still tells it is not the one it was.
      await ok(["contact", "stop", "C5", "--at", "2026-03-21T09:00:00Z"]);
      expect((await verify()).ok).toBe(true);
      expect((await verify("--anchor", anchor)).firstBroken).toMatchObject({
        kind: "anchor",
        seq: head?.seq,
      });
    });

    it("finds an entry deleted from the middle, by the seq that is missing", async () => {
      await attack(kind, store.url, "delete from contact_log where seq = 4");
      const result = await verify();
      expect(result.code).toBe(1);
      expect(result.firstBroken).toEqual({
        kind: "missing",
        seq: "4",
        logId: null,
        problem: "entry seq 4 is missing: deleted",
      });
      const human = await cli(["audit", "verify"]);
      expect(human.stdout).toContain("Audit log BROKEN: entry seq 4 is missing: deleted.");

      // An export made now says so, in both files.
      const exported = await cli(["audit", "export", "--customer", "C2", "--out", "broken"]);
      expect(exported.code).toBe(0);
      expect(exported.stderr).toContain("the audit log is broken (entry seq 4 is missing");
      const history = JSON.parse(readFileSync(join(store.dir, "broken/audit-C2.json"), "utf8"));
      expect(history.chain.ok).toBe(false);
      const text = execFileSync("pdftotext", [join(store.dir, "broken/audit-C2.pdf"), "-"], {
        encoding: "utf8",
      });
      expect(text).toContain("Audit chain BROKEN at export: entry seq 4 is missing");
    });
  });
}
