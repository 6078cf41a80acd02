import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paymentReferenceFor } from "../../src/payments/domain/reference.js";
import { runCli } from "../support/cli.js";
import { seedLedger } from "../support/in-process.js";
import { CUSTOMER_HEADER, INVOICE_HEADER, queryRows, writeCsv } from "../support/ledger.js";
import { startSmtp, type TestSmtp } from "../support/smtp.js";
import { type FreshStore, freshStore, STORE_KINDS } from "../support/stores.js";

/**
 * A bank statement through the CLI: parsed, recorded, matched, applied to the ledger, and
 * the chase stops for what it paid. Imported twice it changes nothing.
 */
const POLICY = {
  name: "bank",
  minGapDays: 5,
  steps: [
    { id: "s1", offsetDays: 1, channels: ["email"], tone: 1 },
    { id: "s2", offsetDays: 10, channels: ["email"], tone: 2 },
  ],
};

const SEK_ACCOUNT = "SE4550000000058398257466";
const EUR_ACCOUNT = "IT60X0542811101000000123456";

const rf = (invoiceNumber: string) =>
  paymentReferenceFor(
    { scheme: "rf", per: "invoice" },
    { invoiceNumber, customerId: "" },
  ) as string;

type Entry = {
  amount: string;
  ccy: string;
  cd: "CRDT" | "DBIT";
  date: string;
  ref?: string;
  text?: string;
  party: string;
  partyAccount: string;
};

function entryXml(e: Entry, n: number): string {
  const party = e.cd === "CRDT" ? "Dbtr" : "Cdtr";
  const remittance = [
    e.text ? `<Ustrd>${e.text}</Ustrd>` : "",
    e.ref
      ? `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>${e.ref}</Ref></CdtrRefInf></Strd>`
      : "",
  ].join("");
  return `<Ntry><NtryRef>${n}</NtryRef><Amt Ccy="${e.ccy}">${e.amount}</Amt><CdtDbtInd>${e.cd}</CdtDbtInd>
<Sts>BOOK</Sts><BookgDt><Dt>${e.date}</Dt></BookgDt><ValDt><Dt>${e.date}</Dt></ValDt><AcctSvcrRef>BANK-${n}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
<RltdPties><${party}><Nm>${e.party}</Nm></${party}><${party}Acct><Id><IBAN>${e.partyAccount}</IBAN></Id></${party}Acct></RltdPties>
<RmtInf>${remittance}</RmtInf></TxDtls></NtryDtls></Ntry>`;
}

function statementXml(
  id: string,
  account: string,
  ccy: string,
  open: string,
  close: string,
  entries: Entry[],
) {
  const balance = (code: string, amount: string, date: string) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${ccy}">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>`;
  return `<Stmt><Id>${id}</Id><CreDtTm>2026-03-06T18:00:00</CreDtTm>
<FrToDt><FrDtTm>2026-03-06T00:00:00</FrDtTm><ToDtTm>2026-03-06T23:59:59</ToDtTm></FrToDt>
<Acct><Id><IBAN>${account}</IBAN></Id><Ccy>${ccy}</Ccy></Acct>
${balance("OPBD", open, "2026-03-05")}${balance("CLBD", close, "2026-03-06")}
${entries.map(entryXml).join("\n")}</Stmt>`;
}

function camt053(statements: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>MSG-20260306</MsgId><CreDtTm>2026-03-06T18:00:00</CreDtTm></GrpHdr>
${statements.join("\n")}
</BkToCstmrStmt></Document>
`;
}

type LineJson = {
  line: string;
  amount: string;
  creditDebit: string;
  currency: string;
  bookingDate: string | null;
  valueDate: string | null;
  reference: string | null;
  remittance: string;
  counterparty: { name: string | null; account: string | null };
  status: string;
  invoiceIds?: string[];
  suggestion?: { invoiceIds: string[] };
  rule: string;
};
type ImportJson = {
  statements: {
    id: string;
    account: string;
    currency: string;
    openingBalance: string | null;
    closingBalance: string | null;
    balanceProblem: string | null;
    alreadyImported: boolean;
    newAccount: boolean;
  }[];
  lines: LineJson[];
};

for (const kind of STORE_KINDS) {
  describe(`${kind}: bank statements`, () => {
    let store: FreshStore;
    let smtp: TestSmtp;
    const env = { OVERDUE_HOLD_WHEN_BANK_OLDER_THAN: "3" };
    const cli = (args: string[]) =>
      runCli(["--db", store.url, ...args], {
        cwd: store.dir,
        env: {
          ...env,
          OVERDUE_SMTP_URL: smtp.url,
          OVERDUE_FROM: "Acme AB <billing@acme.example>",
          OVERDUE_LETTER_DIR: join(store.dir, "letters"),
        },
      });
    const ok = async (args: string[]) => {
      const result = await cli(args);
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };
    const open = async () =>
      Object.fromEntries(
        (await queryRows(store.url, "select id, open_minor from invoices order by id")).map((r) => [
          r.id,
          r.open_minor,
        ]),
      );
    const count = async (table: string) =>
      (await queryRows(store.url, `select count(*) as n from ${table}`))[0]?.n;
    const mailTo = (to: string) => smtp.messages.filter((m) => m.to === to);

    let first: ImportJson;
    let statementFile: string;

    beforeAll(async () => {
      store = await freshStore(kind);
      smtp = await startSmtp();
      const address = ["Storgatan 1", "", "111 20", "Stockholm"];
      writeCsv(store.dir, "c.csv", CUSTOMER_HEADER, [
        ["S1", "Solhem AB", "business", "ar@solhem.example", "", "SE", "", "", ...address],
        ["I1", "Rossi Srl", "business", "amm@rossi.example", "", "IT", "", "", ...address],
      ]);
      writeCsv(store.dir, "i.csv", INVOICE_HEADER, [
        ["INV-1001", "S1", "2026-02-01", "2026-03-02", "SEK", "1000.00"],
        ["INV-1002", "S1", "2026-02-03", "2026-03-02", "SEK", "500.00"],
        ["INV-2001", "I1", "2026-02-01", "2026-03-02", "EUR", "80.00"],
        ["INV-2002", "I1", "2026-02-02", "2026-03-02", "EUR", "120.00"],
      ]);
      await seedLedger(store.url, [
        ["customers", join(store.dir, "c.csv")],
        ["invoices", join(store.dir, "i.csv")],
      ]);
      writeFileSync(join(store.dir, "policy.json"), JSON.stringify(POLICY));
      await ok(["policy", "set", "policy.json"]);

      statementFile = join(store.dir, "statement.xml");
      writeFileSync(
        statementFile,
        camt053([
          statementXml("STMT-SEK-0306", SEK_ACCOUNT, "SEK", "10000.00", "11150.00", [
            // A structured reference: applied at once.
            {
              amount: "1000.00",
              ccy: "SEK",
              cd: "CRDT",
              date: "2026-03-06",
              ref: rf("INV-1001"),
              party: "SOLHEM AB",
              partyAccount: "SE3550000000054910000003",
            },
            // The number in the text but only part of the amount: a person decides.
            {
              amount: "200.00",
              ccy: "SEK",
              cd: "CRDT",
              date: "2026-03-06",
              text: "Delbetalning INV-1002",
              party: "SOLHEM AB",
              partyAccount: "SE3550000000054910000003",
            },
            {
              amount: "50.00",
              ccy: "SEK",
              cd: "DBIT",
              date: "2026-03-06",
              text: "Kontorsmaterial",
              party: "Papper AB",
              partyAccount: "SE7280000810340009783242",
            },
          ]),
          // The bank's closing balance is 50.00 short: reported, not fixed.
          statementXml("STMT-EUR-0306", EUR_ACCOUNT, "EUR", "100.00", "250.00", [
            {
              amount: "200.00",
              ccy: "EUR",
              cd: "CRDT",
              date: "2026-03-06",
              text: "Fatture INV-2001 e INV-2002",
              party: "Rossi S.r.l.",
              partyAccount: "IT02A0301503200000003517230",
            },
          ]),
        ]),
      );

      // Day one: reminders are planned, but e-mail waits: no statement has been imported.
      const day1 = JSON.parse(
        await ok(["run", "--as-of", "2026-03-03", "--at", "2026-03-03T08:00:00Z", "--json"]),
      );
      expect(day1.bank).toMatchObject({ newestStatement: null, holding: true });
      expect(day1.plan.contacts).toBe(2);
      expect(day1.dispatch.sent).toBe(0);
      expect(smtp.messages).toHaveLength(0);

      // A promise on the phone, kept by the payment on the statement before its day.
      await ok([
        "promise",
        "INV-2002",
        "--date",
        "2026-03-20",
        "--channel",
        "phone",
        "--at",
        "2026-03-04T10:00:00Z",
      ]);

      first = JSON.parse(
        await ok(["bank", "import", statementFile, "--json", "--at", "2026-03-07T07:00:00Z"]),
      ) as ImportJson;
    });

    afterAll(async () => {
      await smtp?.close();
      await store?.drop();
    });

    it("reports each statement with its balances, and a sum that does not add up", () => {
      expect(first.statements).toEqual([
        expect.objectContaining({
          id: "STMT-SEK-0306",
          account: SEK_ACCOUNT,
          currency: "SEK",
          openingBalance: "10000.00",
          closingBalance: "11150.00",
          balanceProblem: null,
          newAccount: true,
        }),
        expect.objectContaining({
          id: "STMT-EUR-0306",
          account: EUR_ACCOUNT,
          currency: "EUR",
          openingBalance: "100.00",
          closingBalance: "250.00",
          balanceProblem: expect.stringContaining("300.00"),
          newAccount: true,
        }),
      ]);
    });

    it("applies a structured reference and an invoice number with the exact amount; the rest waits", async () => {
      const [byRef, partial, debit, both] = first.lines;
      expect(first.lines).toHaveLength(4);
      expect(byRef).toMatchObject({
        amount: "1000.00",
        creditDebit: "CRDT",
        currency: "SEK",
        bookingDate: "2026-03-06",
        valueDate: "2026-03-06",
        reference: rf("INV-1001"),
        counterparty: { name: "SOLHEM AB", account: "SE3550000000054910000003" },
        status: "applied",
        invoiceIds: ["INV-1001"],
        rule: "reference",
      });
      expect(partial).toMatchObject({ status: "review", remittance: "Delbetalning INV-1002" });
      expect(partial?.suggestion?.invoiceIds).toEqual(["INV-1002"]);
      expect(partial?.invoiceIds).toBeUndefined();
      expect(debit).toMatchObject({ creditDebit: "DBIT", status: "debit" });
      expect(both).toMatchObject({ status: "applied", invoiceIds: ["INV-2001", "INV-2002"] });
      expect(await open()).toEqual({
        "INV-1001": "0",
        "INV-1002": "50000",
        "INV-2001": "0",
        "INV-2002": "0",
      });
      const accounts = await queryRows(store.url, "select account from bank_accounts order by 1");
      expect(accounts.map((a) => a.account)).toEqual([EUR_ACCOUNT, SEK_ACCOUNT]);
    });

    it("decides a promise kept when the statement pays it, before its day", async () => {
      const { promises } = JSON.parse(await ok(["promises", "--customer", "I1", "--json"]));
      expect(promises).toEqual([
        expect.objectContaining({
          invoice: "INV-2002",
          promisedOn: "2026-03-20",
          amount: null,
          openAtPromise: "120.00",
          openNow: "0.00",
          status: "kept",
          channel: "phone",
          decidedAt: "2026-03-07T07:00:00.000Z",
        }),
      ]);
    });

    it("imports the same statement again without changing anything", async () => {
      const payments = await count("payments");
      const again = JSON.parse(
        await ok(["bank", "import", statementFile, "--json", "--at", "2026-03-07T09:00:00Z"]),
      ) as ImportJson;
      expect(again.statements.map((s) => s.alreadyImported)).toEqual([true, true]);
      expect(again.lines).toEqual(first.lines);
      expect(await count("payments")).toBe(payments);
      expect(await count("bank_lines")).toBe("4");
    });

    it("recognises a payment a camt.054 notification reports again", async () => {
      const payments = await count("payments");
      const notification = join(store.dir, "notification.xml");
      const entry = entryXml(
        {
          amount: "1000.00",
          ccy: "SEK",
          cd: "CRDT",
          date: "2026-03-06",
          ref: rf("INV-1001"),
          party: "SOLHEM AB",
          partyAccount: "SE3550000000054910000003",
        },
        0,
      );
      writeFileSync(
        notification,
        `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>N-1</MsgId><CreDtTm>2026-03-06T10:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>NTF-0306-1</Id><CreDtTm>2026-03-06T10:00:00</CreDtTm>
<Acct><Id><IBAN>${SEK_ACCOUNT}</IBAN></Id><Ccy>SEK</Ccy></Acct>${entry}</Ntfctn>
</BkToCstmrDbtCdtNtfctn></Document>
`,
      );
      const result = JSON.parse(
        await ok(["bank", "import", notification, "--json", "--at", "2026-03-07T08:00:00Z"]),
      ) as ImportJson;
      expect(result.lines).toEqual([
        expect.objectContaining({ status: "duplicate", amount: "1000.00" }),
      ]);
      expect(result.lines[0]).not.toHaveProperty("invoiceIds");
      expect(await count("payments")).toBe(payments);
    });

    it("refuses a malformed file whole, saying where", async () => {
      const broken = join(store.dir, "broken.xml");
      writeFileSync(broken, camt053([]).replace("</BkToCstmrStmt>", ""));
      const lines = await count("bank_lines");
      const result = await cli(["bank", "import", broken]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/broken\.xml.*line \d+/);
      expect(await count("bank_lines")).toBe(lines);
    });

    it("sends the held reminder once the bank is fresh, without what the statement paid", async () => {
      const day8 = JSON.parse(
        await ok(["run", "--as-of", "2026-03-08", "--at", "2026-03-08T08:00:00Z", "--json"]),
      );
      expect(day8.bank).toMatchObject({
        newestStatement: "2026-03-06",
        ageDays: 2,
        holding: false,
      });
      // I1 paid everything: its reminder is dropped at sending. S1's names only what is open.
      expect(mailTo("amm@rossi.example")).toHaveLength(0);
      const [solhem] = mailTo("ar@solhem.example");
      expect(solhem?.text).toContain("INV-1002");
      expect(solhem?.text).not.toContain("INV-1001");
    });

    it("lets a person match what waits for review", async () => {
      const review = JSON.parse(await ok(["bank", "review", "--json"])) as { lines: LineJson[] };
      expect(review.lines.map((l) => l.remittance)).toEqual(["Delbetalning INV-1002"]);
      const line = review.lines[0]?.line as string;
      const matched = JSON.parse(
        await ok(["bank", "match", line, "INV-1002", "--json", "--at", "2026-03-08T10:00:00Z"]),
      ) as LineJson;
      expect(matched).toMatchObject({
        status: "applied",
        invoiceIds: ["INV-1002"],
        rule: "manual",
      });
      expect((await open())["INV-1002"]).toBe("30000");
      const again = await cli(["bank", "match", line, "INV-1002"]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain("not waiting for review");
      expect((await open())["INV-1002"]).toBe("30000");
    });
  });
}
