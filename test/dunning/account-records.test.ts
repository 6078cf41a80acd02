import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import { CUSTOMER_HEADER, INVOICE_HEADER, writeCsv } from "../support/ledger.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

/** Promises and disputes are records a collector can list per customer, with who and when. */
for (const kind of STORE_KINDS) {
  describe(`${kind}: promises and disputes per customer`, () => {
    let store: FreshStore;
    const ok = async (args: string[]) => {
      const result = await runCli(["--db", store.url, ...args], {
        cwd: store.dir,
        env: { OVERDUE_USER: "anna" },
      });
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };

    beforeAll(async () => {
      store = await freshStore(kind);
      const address = ["Storgatan 1", "", "111 20", "Stockholm"];
      writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
        ["S1", "Solhem AB", "business", "ar@solhem.example", "", "SE", "", "", ...address],
        ["S2", "Norrsken AB", "business", "ar@norrsken.example", "", "SE", "", "", ...address],
      ]);
      writeCsv(store.dir, "i.csv", INVOICE_HEADER, [
        ["A1", "S1", "2026-02-01", "2026-03-02", "SEK", "1000.00"],
        ["A2", "S1", "2026-02-03", "2026-03-02", "SEK", "500.00"],
        ["B1", "S2", "2026-02-01", "2026-03-02", "SEK", "300.00"],
      ]);
      await seedLedger(store.url, [
        ["customers", join(store.dir, "c.csv")],
        ["invoices", join(store.dir, "i.csv")],
      ]);
    });
    afterAll(async () => store?.drop());

    it("opens one dispute per invoice named, lists them by customer, and closes them", async () => {
      await ok([
        "dispute",
        "A1",
        "A2",
        "--reason",
        "goods damaged",
        "--at",
        "2026-03-05T09:00:00Z",
      ]);
      await ok(["dispute", "B1", "--reason", "never ordered", "--at", "2026-03-05T10:00:00Z"]);
      await ok(["dispute", "A2", "--resolve", "credit note sent", "--at", "2026-03-06T09:00:00Z"]);

      const { disputes } = JSON.parse(await ok(["disputes", "--customer", "S1", "--json"]));
      expect(disputes).toEqual([
        expect.objectContaining({
          invoice: "A2",
          reason: "goods damaged",
          status: "resolved",
          openedBy: "anna",
          openedAt: "2026-03-05T09:00:00.000Z",
          closedAt: "2026-03-06T09:00:00.000Z",
          resolution: "credit note sent",
        }),
        expect.objectContaining({ invoice: "A1", status: "open", closedAt: null }),
      ]);
      const open = JSON.parse(await ok(["disputes", "--status", "open", "--json"]));
      expect(open.disputes.map((d: { invoice: string }) => d.invoice)).toEqual(["B1", "A1"]);
      expect(await ok(["disputes", "--customer", "S2"])).toContain("never ordered");
    });

    it("records who took a promise, how, and for how much", async () => {
      await ok(["promise", "B1", "--date", "2026-03-20", "--amount", "100", "--channel", "email"]);
      const { promises } = JSON.parse(await ok(["promises", "--customer", "S2", "--json"]));
      expect(promises).toEqual([
        expect.objectContaining({
          invoice: "B1",
          promisedOn: "2026-03-20",
          amount: "100.00",
          currency: "SEK",
          status: "open",
          takenBy: "anna",
          channel: "email",
        }),
      ]);
      expect(JSON.parse(await ok(["promises", "--customer", "S1", "--json"])).promises).toEqual([]);
    });
  });
}
