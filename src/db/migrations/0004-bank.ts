import type { Kysely } from "kysely";
import type { StoreDialect } from "../dialects.js";

/**
 * Bank statements and what became of each transaction on them: the accounts statements came
 * for, the statements themselves (with their balances as the bank stated them), one row per
 * transaction with its match, and the accounts customers have paid from (learned from matches,
 * used to recognise the payer next time).
 */
export function bankMigration(dialect: StoreDialect) {
  const { dateType, identityType } = dialect;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("bank_accounts")
        .addColumn("account", "text", (c) => c.primaryKey())
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("first_seen_at", "text", (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("bank_statements")
        .addColumn("id", identityType, (c) => c.primaryKey())
        .addColumn("account", "text", (c) => c.notNull().references("bank_accounts.account"))
        // The statement's own id (camt Stmt/Id, OFX account and period, CSV file digest).
        .addColumn("statement_id", "text", (c) => c.notNull())
        .addColumn("format", "text", (c) => c.notNull())
        .addColumn("file", "text", (c) => c.notNull())
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("opening_minor", "bigint")
        .addColumn("closing_minor", "bigint")
        .addColumn("from_date", dateType)
        .addColumn("to_date", dateType)
        .addColumn("balance_problem", "text")
        .addColumn("imported_at", "text", (c) => c.notNull())
        .addUniqueConstraint("bank_statements_account_statement", ["account", "statement_id"])
        .execute();

      await db.schema
        .createTable("bank_lines")
        .addColumn("id", identityType, (c) => c.primaryKey())
        .addColumn("statement", "bigint", (c) => c.notNull().references("bank_statements.id"))
        // Account and the parser's line key: the same transaction imported twice is one row.
        .addColumn("key", "text", (c) => c.notNull().unique())
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("amount_minor", "bigint", (c) => c.notNull())
        .addColumn("currency", "text", (c) => c.notNull())
        .addColumn("credit_debit", "text", (c) => c.notNull())
        .addColumn("reversal", "integer", (c) => c.notNull())
        .addColumn("booking_date", dateType)
        .addColumn("value_date", dateType)
        .addColumn("reference", "text")
        .addColumn("remittance", "text", (c) => c.notNull())
        .addColumn("counterparty_name", "text")
        .addColumn("counterparty_account", "text")
        .addColumn("bank_reference", "text")
        // applied | review | debit | ignored | duplicate
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("rule", "text", (c) => c.notNull())
        .addColumn("confidence", "integer", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("customer_id", "text", (c) => c.references("customers.id"))
        // JSON: what the matcher proposed for a line waiting for review.
        .addColumn("suggestion", "text")
        // JSON array of the invoices the money went to, once applied.
        .addColumn("invoice_ids", "text")
        .addColumn("credit_minor", "bigint")
        .addColumn("applied_at", "text")
        .addColumn("applied_by", "text")
        .execute();
      await db.schema
        .createIndex("bank_lines_status")
        .on("bank_lines")
        .columns(["status", "id"])
        .execute();

      // A statement's lines in order: what an import reports, and what a later statement of
      // the same account is compared with (a camt.054 and the day's camt.053 repeat each other).
      await db.schema
        .createIndex("bank_lines_statement")
        .on("bank_lines")
        .columns(["statement", "position"])
        .execute();

      await db.schema
        .createTable("payer_accounts")
        .addColumn("account", "text", (c) => c.notNull())
        .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
        .addColumn("learned_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("payer_accounts_pk", ["account", "customer_id"])
        .execute();
    },
  };
}
