import { type Kysely, sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/database.js";
import { cursorTimestamp } from "../http/cursorTimestamp.js";
import { decodeCursor } from "../http/decodeCursor.js";
import { encodeCursor } from "../http/encodeCursor.js";
import type { ChainTransactionRow } from "./sendRecordedTransaction.js";

export interface ListChainTransactionsParameters {
  chainId: number;
  status?: ChainTransactionRow["status"];
  kind?: string;
  runId?: string;
  /** Only transactions of runs in sessions owned by this API key (non-admin callers). */
  ownerKeyId?: string;
  limit?: number;
  /** Opaque cursor from a previous page's nextCursor. */
  cursor?: string;
}

/** A chain transaction as the API shows it (no raw bytes; amounts and gas as decimal strings). */
export interface ChainTransactionView {
  hash: string;
  runId: string | null;
  stepId: string | null;
  chainId: number;
  from: string;
  to: string | null;
  nonce: number;
  kind: string;
  status: ChainTransactionRow["status"];
  token: string | null;
  amount: string | null;
  gasUsed: string | null;
  effectiveGasPrice: string | null;
  /** gasUsed × effectiveGasPrice in native base units, once mined. */
  gasCost: string | null;
  blockNumber: string | null;
  error: string | null;
  details: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface ChainTransactionPage {
  transactions: ChainTransactionView[];
  nextCursor: string | null;
}

/** The last row's (created_at as Postgres's text, hash): both reach the query, so both are checked. */
const cursorSchema = z.tuple([
  cursorTimestamp,
  z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a transaction hash"),
]);

/** The agent's chain transactions on one chain, newest first, keyset-paginated. */
export async function listChainTransactions(
  db: Kysely<Database>,
  parameters: ListChainTransactionsParameters,
): Promise<ChainTransactionPage> {
  const limit = Math.min(Math.max(parameters.limit ?? 50, 1), 200);
  let query = db
    .selectFrom("chain_transactions")
    .selectAll("chain_transactions")
    // The database's text form keeps microseconds, which a JS Date would lose.
    .select(sql<string>`chain_transactions.created_at::text`.as("cursor_at"))
    .where("chain_transactions.chain_id", "=", parameters.chainId);
  if (parameters.status) query = query.where("chain_transactions.status", "=", parameters.status);
  if (parameters.kind) query = query.where("chain_transactions.kind", "=", parameters.kind);
  if (parameters.runId) query = query.where("chain_transactions.run_id", "=", parameters.runId);
  if (parameters.ownerKeyId) {
    const owner = parameters.ownerKeyId;
    query = query.where((eb) =>
      eb(
        "chain_transactions.run_id",
        "in",
        eb
          .selectFrom("runs")
          .innerJoin("agent_sessions", "agent_sessions.id", "runs.session_id")
          .select("runs.id")
          .where("agent_sessions.api_key_id", "=", owner),
      ),
    );
  }
  if (parameters.cursor) {
    const [createdAt, hash] = decodeCursor(parameters.cursor, cursorSchema);
    query = query.where((eb) =>
      eb.or([
        eb("chain_transactions.created_at", "<", sql<Date>`${createdAt}::timestamptz`),
        eb.and([
          eb("chain_transactions.created_at", "=", sql<Date>`${createdAt}::timestamptz`),
          eb("chain_transactions.hash", "<", hash),
        ]),
      ]),
    );
  }
  const rows = await query
    .orderBy("chain_transactions.created_at", "desc")
    .orderBy("chain_transactions.hash", "desc")
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    transactions: page.map(toView),
    nextCursor:
      rows.length > limit && last
        ? encodeCursor([last.cursor_at, last.hash] satisfies z.input<typeof cursorSchema>)
        : null,
  };
}

function toView(row: ChainTransactionRow): ChainTransactionView {
  const gasCost =
    row.gas_used !== null && row.effective_gas_price !== null
      ? (BigInt(row.gas_used) * BigInt(row.effective_gas_price)).toString()
      : null;
  return {
    hash: row.hash,
    runId: row.run_id,
    stepId: row.step_id,
    chainId: row.chain_id,
    from: row.from_address,
    to: row.to_address,
    nonce: row.nonce,
    kind: row.kind,
    status: row.status,
    token: row.token,
    amount: row.amount,
    gasUsed: row.gas_used,
    effectiveGasPrice: row.effective_gas_price,
    gasCost,
    blockNumber: row.block_number,
    error: row.error,
    details: row.details,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
