import { type Kysely, sql } from "kysely";
import type { Principal } from "../auth/authenticate.js";
import { type BudgetStatus, getBudgetStatus } from "../budget/index.js";
import { utcDay } from "../budget/units.js";
import type { Database } from "../db/database.js";
import { roleOf } from "./roleOf.js";
import type { DeskSpendQuery } from "./schemas.js";
import { tokenOfAsset } from "./tokenOfAsset.js";

/** Spend the desk draws: per session and per key against limits, per day, per service. */
export interface DeskSpend {
  /** Active sessions, newest first (at most 20), with their budget, daily limit and ledger lines. */
  sessions: {
    id: string;
    apiKeyId: string | null;
    createdAt: string;
    budgetStatus: BudgetStatus;
  }[];
  /** Per key: settled spend per token (base units, lower-cased token as in the ledger), all time and today. */
  keys: {
    keyId: string | null;
    name: string | null;
    token: string;
    spent: string;
    today: string;
  }[];
  /**
   * Settled x402 payments per UTC day and asset for the last `days` days (oldest first, days
   * without payments included as zero), with the total per asset: the same rows
   * GET /api/payments?status=settled lists.
   */
  daily: {
    from: string;
    to: string;
    days: string[];
    series: { asset: string; token: AssetToken; amounts: string[]; total: string }[];
  };
  /** Settled payments per service and asset in the same window. */
  byService: {
    serviceId: string | null;
    name: string;
    asset: string;
    token: AssetToken;
    amount: string;
    count: number;
  }[];
}

/** A payment asset's symbol and decimals; null when the network does not know it. */
type AssetToken = { symbol: string; decimals: number } | null;

/**
 * GET /api/desk/spend. Admins see every session; approvers those of the agent keys assigned to
 * them (whose approvals they decide); agents their own.
 */
export async function getDeskSpend(
  db: Kysely<Database>,
  principal: Principal,
  query: DeskSpendQuery,
  options: { now?: Date } = {},
): Promise<DeskSpend> {
  const role = roleOf(principal);
  const everyone = role === "admin";
  // The agent keys whose spend this principal sees (admins: all): an approver those assigned to
  // it, an agent itself. "" stands for none: `in ()` is not SQL, and no key has that id.
  const keyIds = everyone
    ? []
    : role === "approver"
      ? (
          await db
            .selectFrom("approver_assignments")
            .select("agent_key_id")
            .where("approver_key_id", "=", principal.keyId)
            .execute()
        ).map((row) => row.agent_key_id)
      : [principal.keyId];
  if (!everyone && keyIds.length === 0) keyIds.push("");
  const now = options.now ?? new Date();
  const today = utcDay(now);
  const days: string[] = [];
  for (let i = query.days - 1; i >= 0; i--)
    days.push(utcDay(new Date(now.getTime() - i * 86_400_000)));
  const from = new Date(`${days[0]}T00:00:00.000Z`);

  const sessions = await db
    .selectFrom("agent_sessions")
    .select(["id", "api_key_id", "created_at"])
    .where("status", "=", "active")
    .$if(!everyone, (q) => q.where("api_key_id", "in", keyIds))
    .orderBy("created_at", "desc")
    .limit(20)
    .execute();

  const keyRows = await db
    .selectFrom("spend_ledger as l")
    .innerJoin("agent_sessions as s", "s.id", "l.session_id")
    .leftJoin("api_keys as k", "k.id", "s.api_key_id")
    .select([
      "s.api_key_id as keyId",
      "k.name as name",
      sql<string>`lower(l.token)`.as("token"),
      sql<string>`sum(l.amount)::text`.as("spent"),
      sql<string>`coalesce(sum(case when l.day = ${today} then l.amount end), 0)::text`.as("today"),
    ])
    .where("l.status", "=", "settled")
    .$if(!everyone, (q) => q.where("s.api_key_id", "in", keyIds))
    .groupBy(["s.api_key_id", "k.name", sql`lower(l.token)`])
    .orderBy("k.name")
    .execute();

  const payments = await db
    .selectFrom("payments as p")
    .leftJoin("agent_sessions as s", "s.id", "p.session_id")
    .leftJoin("services as v", "v.id", "p.service_id")
    .select([
      "p.amount",
      "p.asset",
      "p.service_id as serviceId",
      "v.name as serviceName",
      "p.resource_url as url",
      "p.created_at as createdAt",
    ])
    .where("p.status", "=", "settled")
    .where("p.created_at", ">=", from)
    .$if(!everyone, (q) => q.where("s.api_key_id", "in", keyIds))
    .execute();

  const series = new Map<string, bigint[]>();
  const services = new Map<string, DeskSpend["byService"][number] & { sum: bigint }>();
  for (const p of payments) {
    const index = days.indexOf(utcDay(new Date(p.createdAt)));
    if (index < 0) continue;
    const amounts = series.get(p.asset) ?? days.map(() => 0n);
    amounts[index]! += BigInt(p.amount);
    series.set(p.asset, amounts);
    const name = p.serviceName ?? hostOf(p.url);
    const key = `${p.serviceId ?? name}|${p.asset}`;
    const entry = services.get(key) ?? {
      serviceId: p.serviceId,
      name,
      asset: p.asset,
      token: tokenOfAsset(p.asset),
      amount: "0",
      count: 0,
      sum: 0n,
    };
    entry.sum += BigInt(p.amount);
    entry.count += 1;
    services.set(key, entry);
  }

  return {
    sessions: await Promise.all(
      sessions.map(async (s) => ({
        id: s.id,
        apiKeyId: s.api_key_id,
        createdAt: s.created_at.toISOString(),
        budgetStatus: await getBudgetStatus(db, s.id, { now }),
      })),
    ),
    keys: keyRows.map((row) => ({
      keyId: row.keyId,
      name: row.name,
      token: row.token,
      spent: row.spent,
      today: row.today,
    })),
    daily: {
      from: days[0]!,
      to: days[days.length - 1]!,
      days,
      series: [...series].map(([asset, amounts]) => ({
        asset,
        token: tokenOfAsset(asset),
        amounts: amounts.map(String),
        total: String(amounts.reduce((a, b) => a + b, 0n)),
      })),
    },
    byService: [...services.values()]
      .sort((a, b) => (a.sum === b.sum ? 0 : a.sum > b.sum ? -1 : 1))
      .map(({ sum, ...entry }) => ({ ...entry, amount: String(sum) })),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
