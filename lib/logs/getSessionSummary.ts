import { type Kysely, sql } from "kysely";
import { formatUnits } from "viem";
import type { Principal } from "../auth/authenticate.js";
import { USD_DECIMALS } from "../chain/priceUsd.js";
import { findToken } from "../chain/registry.js";
import type { NetworkName } from "../config.js";
import type { Database, RunStatus } from "../db/database.js";
import { getSessionFor } from "../sessions/getSession.js";

/** Spend in one token: amounts in base units; USD only for pegged stablecoins (exact, never a float). */
export interface TokenSpend {
  asset: string;
  symbol: string | null;
  network: string;
  count: number;
  /** Base units, decimal string. */
  amount: string;
  /** Exact USD of `amount` for stablecoins; null when the token has no peg. */
  usd: string | null;
}

/** GET /api/agent/sessions/{id}/summary. */
export interface SessionSummary {
  sessionId: string;
  runs: { total: number; byStatus: Partial<Record<RunStatus, number>> };
  /** Settled x402 payments per token (pending and unknown ones apart: they may still land). */
  payments: {
    settled: TokenSpend[];
    pending: TokenSpend[];
    failedCount: number;
    /** Settled payments whose server gave a signed receipt (kept in payments.receipt). */
    signedReceipts: number;
  };
  /** Confirmed transfers per token. */
  transfers: TokenSpend[];
  /** USD of settled payments and confirmed transfers in stablecoins; usdIncomplete when others exist. */
  spendUsd: string;
  usdIncomplete: boolean;
  /** Gas the agent paid for its transactions, in CRO base units (wei). */
  gas: { unit: "CRO"; amount: string; transactions: number };
  /** Language-model tokens spent understanding this session's commands. */
  modelTokens: string;
  /** Services paid most often (settled payments), with what was paid per token. */
  topServices: {
    serviceId: string | null;
    name: string | null;
    resourceUrl: string;
    payments: number;
    amounts: { asset: string; amount: string }[];
  }[];
}

/**
 * A session's totals as a thin read model over runs, payments, chain_transactions and run costs:
 * every sum is computed by the database from the same rows the payments table shows, so the
 * summary and the tables agree to the base unit.
 */
export async function getSessionSummary(
  db: Kysely<Database>,
  principal: Principal,
  parameters: { sessionId: string; network: NetworkName },
): Promise<SessionSummary> {
  const session = await getSessionFor(db, principal, parameters.sessionId);
  const sessionRuns = db.selectFrom("runs").select("id").where("session_id", "=", session.id);

  const [statuses, payments, transfers, gas, costs, services] = await Promise.all([
    db
      .selectFrom("runs")
      .select(["status", sql<string>`count(*)::text`.as("n")])
      .where("session_id", "=", session.id)
      .groupBy("status")
      .execute(),
    db
      .selectFrom("payments")
      .select([
        "asset",
        "network",
        "status",
        sql<string>`count(*)::text`.as("n"),
        sql<string>`coalesce(sum(amount), 0)::text`.as("amount"),
        sql<string>`count(receipt)::text`.as("receipts"),
      ])
      .where("session_id", "=", session.id)
      .groupBy(["asset", "network", "status"])
      .orderBy("network")
      .orderBy("asset")
      .execute(),
    db
      .selectFrom("chain_transactions")
      .select([
        "token",
        "chain_id",
        sql<string>`count(*)::text`.as("n"),
        sql<string>`coalesce(sum(amount), 0)::text`.as("amount"),
      ])
      .where("run_id", "in", sessionRuns)
      .where("kind", "=", "transfer")
      .where("status", "=", "confirmed")
      .groupBy(["token", "chain_id"])
      .orderBy("token")
      .execute(),
    db
      .selectFrom("chain_transactions")
      .select([
        sql<string>`coalesce(sum(gas_used * effective_gas_price), 0)::text`.as("wei"),
        sql<string>`count(*)::text`.as("n"),
      ])
      .where("run_id", "in", sessionRuns)
      .where("gas_used", "is not", null)
      .executeTakeFirstOrThrow(),
    db.selectFrom("runs").select("cost").where("session_id", "=", session.id).execute(),
    db
      .selectFrom("payments")
      .leftJoin("services", "services.id", "payments.service_id")
      .select([
        "payments.service_id",
        "services.name",
        "payments.resource_url",
        "payments.asset",
        sql<string>`count(*)::text`.as("n"),
        sql<string>`sum(payments.amount)::text`.as("amount"),
      ])
      .where("payments.session_id", "=", session.id)
      .where("payments.status", "=", "settled")
      .groupBy(["payments.service_id", "services.name", "payments.resource_url", "payments.asset"])
      .execute(),
  ]);

  const spend = (asset: string, network: string, count: number, amount: string): TokenSpend => {
    const token = findToken(parameters.network, asset);
    return {
      asset,
      symbol: token?.symbol ?? null,
      network,
      count,
      amount,
      usd: token?.stable
        ? formatUnits(rescale(BigInt(amount), token.decimals), USD_DECIMALS)
        : null,
    };
  };
  const settled = payments
    .filter((row) => row.status === "settled")
    .map((row) => spend(row.asset, row.network, Number(row.n), row.amount));
  // In flight or sent without proof yet (issue 14's "unknown"): either may still settle, so both
  // are exposure, summed per token.
  const open = new Map<string, { asset: string; network: string; n: number; amount: bigint }>();
  for (const row of payments) {
    if (row.status !== "pending" && row.status !== "unknown") continue;
    const key = `${row.network}:${row.asset}`;
    const entry = open.get(key) ?? { asset: row.asset, network: row.network, n: 0, amount: 0n };
    entry.n += Number(row.n);
    entry.amount += BigInt(row.amount);
    open.set(key, entry);
  }
  const pending = [...open.values()].map((row) =>
    spend(row.asset, row.network, row.n, row.amount.toString()),
  );
  const transferSpend = transfers.map((row) =>
    spend(row.token ?? "unknown", `eip155:${row.chain_id}`, Number(row.n), String(row.amount)),
  );

  let micros = 0n;
  let usdIncomplete = false;
  for (const item of [...settled, ...transferSpend]) {
    if (item.usd === null) usdIncomplete = true;
    else
      micros += rescale(BigInt(item.amount), findToken(parameters.network, item.asset)!.decimals);
  }

  let modelTokens = 0n;
  for (const { cost } of costs) {
    const items = (cost as { items?: { kind?: string; amount?: string }[] } | null)?.items ?? [];
    for (const item of items) {
      if (item.kind === "model" && /^\d+$/.test(item.amount ?? ""))
        modelTokens += BigInt(item.amount!);
    }
  }

  const byService = new Map<string, SessionSummary["topServices"][number]>();
  for (const row of services) {
    const key = row.service_id ?? row.resource_url;
    const entry = byService.get(key) ?? {
      serviceId: row.service_id,
      name: row.name ?? null,
      resourceUrl: row.resource_url,
      payments: 0,
      amounts: [],
    };
    entry.payments += Number(row.n);
    entry.amounts.push({ asset: row.asset, amount: row.amount });
    byService.set(key, entry);
  }

  const byStatus: Partial<Record<RunStatus, number>> = {};
  for (const row of statuses) byStatus[row.status] = Number(row.n);
  return {
    sessionId: session.id,
    runs: { total: statuses.reduce((sum, row) => sum + Number(row.n), 0), byStatus },
    payments: {
      settled,
      pending,
      // Proven to have moved nothing: never sent, cancelled on chain, or expired unused.
      failedCount: payments
        .filter((row) => ["failed", "cancelled", "expired"].includes(row.status))
        .reduce((sum, row) => sum + Number(row.n), 0),
      signedReceipts: payments
        .filter((row) => row.status === "settled")
        .reduce((sum, row) => sum + Number(row.receipts), 0),
    },
    transfers: transferSpend,
    spendUsd: formatUnits(micros, USD_DECIMALS),
    usdIncomplete,
    gas: { unit: "CRO", amount: gas.wei, transactions: Number(gas.n) },
    modelTokens: modelTokens.toString(),
    topServices: [...byService.values()]
      .sort((a, b) => b.payments - a.payments || a.resourceUrl.localeCompare(b.resourceUrl))
      .slice(0, 5),
  };
}

/** Base units of a stablecoin with `decimals` → micro-dollars (exact; truncates beyond 6 places). */
function rescale(amount: bigint, decimals: number): bigint {
  return decimals >= USD_DECIMALS
    ? amount / 10n ** BigInt(decimals - USD_DECIMALS)
    : amount * 10n ** BigInt(USD_DECIMALS - decimals);
}
