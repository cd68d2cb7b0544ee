import pg from "pg";
import {
  type Address,
  createPublicClient,
  erc20Abi,
  type Hash,
  http,
  isAddressEqual,
  type PublicClient,
} from "viem";
import { eip3009NonceAbi } from "../../lib/x402/readAuthorizationState.js";
import type { HostProcess } from "./host.js";

/**
 * The issue-14 audit, read from the chain and from the host's own database after a faulty run:
 * - every authorization the agent signed that the token used is a settled payment with that
 *   amount, booked as spend on its reservation; every settled payment is used on chain;
 * - every transaction the agent mined is recorded with the receipt's outcome; every recorded
 *   mined transaction exists on chain; a recorded one not mined is unclear;
 * - an unclear payment (unknown, or sent and still pending) or transaction (submitted) keeps its
 *   reservation; a voided one (failed, cancelled, expired, reverted, dropped) moved nothing;
 * - no run is stuck: each ended, or is waiting on something named (an approval or an event hook).
 * Each breach is a line in `problems`, so one assertion shows all of them.
 */
export interface BooksAudit {
  problems: string[];
  /** USDC that left the wallet through used authorizations. */
  usdcPaid: bigint;
  /** CRO the agent's mined transactions carried as value (swaps), gas excluded. */
  nativeSent: bigint;
  /** Runs by status. */
  runStatuses: Record<string, number>;
  /** Payments by status. */
  paymentStatuses: Record<string, number>;
  /** Runs neither ended nor waiting on something named, with what the API says of them. */
  stuck: string[];
}

export interface AuditBooksParameters {
  host: HostProcess;
  /** The anvil itself (not a fault proxy). */
  rpcUrl: string;
  agent: Address;
  usdc: Address;
  /** First block of the test: older history is not audited. */
  fromBlock: bigint;
  /** Sessions whose runs are checked for being stuck. */
  sessionIds: string[];
}

interface PaymentRow {
  id: string;
  run_id: string | null;
  nonce: string;
  amount: string;
  status: string;
  sent_at: Date | null;
  tx_hash: string | null;
  reservation_run_id: string | null;
  reservation_step_index: number | null;
}

interface LedgerRow {
  id: string;
  status: string;
  amount: string;
  token: string;
}

interface TransactionRow {
  hash: string;
  run_id: string | null;
  step_id: string | null;
  kind: string;
  status: string;
}

const ENDED = ["completed", "failed", "cancelled"];

/** The fields of GET /api/runs/{id} the audit reads. */
export interface RunView {
  id: string;
  status: string;
  error?: { code: string; message: string } | null;
  pendingApprovals?: { token: string }[];
  steps?: {
    action?: string;
    status: string;
    attempts?: number;
    output?: { waitFor?: { token?: unknown } } | null;
  }[];
}

export async function auditBooks(parameters: AuditBooksParameters): Promise<BooksAudit> {
  const { host, agent, usdc, fromBlock } = parameters;
  const chain = createPublicClient({ transport: http(parameters.rpcUrl) }) as PublicClient;
  const db = new pg.Client({ connectionString: host.env.DATABASE_URL });
  await db.connect();
  const problems: string[] = [];
  try {
    const payments = (
      await db.query<PaymentRow>(
        "select id, run_id, nonce, amount::text as amount, status, sent_at, tx_hash, reservation_run_id, reservation_step_index from payments where lower(payer) = lower($1)",
        [agent],
      )
    ).rows;
    const ledger = new Map(
      (
        await db.query<LedgerRow>(
          "select id, status, amount::text as amount, token from spend_ledger",
        )
      ).rows.map((row) => [row.id, row]),
    );
    const transactions = (
      await db.query<TransactionRow>(
        "select hash, run_id, step_id, kind, status from chain_transactions where lower(from_address) = lower($1)",
        [agent],
      )
    ).rows;

    // Authorizations used on chain, with the USDC each moved (the Transfer of the same transaction).
    const latest = await chain.getBlockNumber();
    const usedLogs = await chain.getLogs({
      address: usdc,
      event: eip3009NonceAbi[1],
      args: { authorizer: agent },
      fromBlock,
      toBlock: latest,
    });
    const transfersOut = await chain.getContractEvents({
      address: usdc,
      abi: erc20Abi,
      eventName: "Transfer",
      args: { from: agent },
      fromBlock,
      toBlock: latest,
    });
    const used = new Map<string, { amount: bigint; transaction: Hash }>();
    for (const log of usedLogs) {
      const transfer = transfersOut.find((t) => t.transactionHash === log.transactionHash);
      used.set(String(log.args.nonce).toLowerCase(), {
        amount: transfer?.args.value ?? 0n,
        transaction: log.transactionHash,
      });
    }
    let usdcPaid = 0n;
    for (const transfer of transfersOut) {
      usdcPaid += transfer.args.value ?? 0n;
      if (!usedLogs.some((log) => log.transactionHash === transfer.transactionHash))
        problems.push(
          `USDC left the wallet outside any authorization: ${transfer.transactionHash}`,
        );
    }

    const byNonce = new Map(payments.map((p) => [p.nonce.toLowerCase(), p]));
    for (const [nonce, use] of used) {
      const payment = byNonce.get(nonce);
      if (!payment) problems.push(`authorization ${nonce} used on chain has no payment row`);
      else if (payment.status !== "settled")
        problems.push(`payment ${payment.id} is ${payment.status} but used on chain`);
      else if (BigInt(payment.amount) !== use.amount)
        problems.push(`payment ${payment.id} booked ${payment.amount}, chain moved ${use.amount}`);
    }

    // Payments per reservation: settled ones are spend, unclear ones hold, voided ones moved nothing.
    const byReservation = new Map<string, PaymentRow[]>();
    for (const payment of payments) {
      if (payment.status === "settled" && !used.has(payment.nonce.toLowerCase()))
        problems.push(`payment ${payment.id} is settled but its authorization is unused on chain`);
      const key =
        payment.reservation_run_id !== null && payment.reservation_step_index !== null
          ? `${payment.reservation_run_id}:${payment.reservation_step_index}`
          : `x402:${payment.id}`;
      byReservation.set(key, [...(byReservation.get(key) ?? []), payment]);
    }
    for (const [key, group] of byReservation) {
      const row = ledger.get(key);
      const settled = group
        .filter((p) => p.status === "settled")
        .reduce((sum, p) => sum + BigInt(p.amount), 0n);
      const unclear = group.some(
        (p) => p.status === "unknown" || (p.status === "pending" && p.sent_at !== null),
      );
      if (unclear) {
        if (row?.status !== "reserved")
          problems.push(
            `reservation ${key} is ${row?.status ?? "missing"} while its payment is unclear (${group.map((p) => p.status).join(",")})`,
          );
      } else if (settled > 0n) {
        if (row?.status !== "settled" || BigInt(row.amount) !== settled)
          problems.push(
            `reservation ${key} is ${row?.status ?? "missing"} ${row?.amount ?? ""}, settled payments ${settled}`,
          );
      } else if (row?.status === "settled")
        problems.push(`reservation ${key} is settled but none of its payments moved money`);
    }

    // Every transaction the agent mined since fromBlock, block by block.
    let nativeSent = 0n;
    const mined = new Map<string, "success" | "reverted">();
    for (let n = fromBlock; n <= latest; n++) {
      const block = await chain.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions) {
        if (!isAddressEqual(tx.from, agent)) continue;
        const receipt = await chain.getTransactionReceipt({ hash: tx.hash });
        mined.set(tx.hash.toLowerCase(), receipt.status);
        nativeSent += tx.value;
      }
    }
    const recorded = new Map(transactions.map((t) => [t.hash.toLowerCase(), t]));
    for (const [hash, status] of mined) {
      const row = recorded.get(hash);
      if (!row) problems.push(`transaction ${hash} mined from the agent is not recorded`);
      else if (
        row.status !== "submitted" &&
        row.status !== (status === "success" ? "confirmed" : "reverted")
      )
        problems.push(`transaction ${hash} is ${row.status} in the books, ${status} on chain`);
    }
    for (const row of transactions) {
      const onChain = mined.get(row.hash.toLowerCase());
      if ((row.status === "confirmed" || row.status === "reverted") && !onChain) {
        // Older than fromBlock? Only then is it allowed to be missing from the scan.
        const receipt = await chain
          .getTransactionReceipt({ hash: row.hash as Hash })
          .catch(() => undefined);
        if (!receipt) problems.push(`transaction ${row.hash} is ${row.status} but not on chain`);
      }
      if (row.status === "dropped" && onChain)
        problems.push(`transaction ${row.hash} is dropped but mined`);
      if (row.kind === "swap" && row.run_id && row.step_id !== null) {
        const entry = [...ledger.values()].find((l) => l.id.startsWith(`${row.run_id}:`));
        const unclear = row.status === "submitted" && !onChain;
        if (unclear && entry && entry.status !== "reserved")
          problems.push(`swap ${row.hash} is unclear but its reservation is ${entry.status}`);
        if (row.status === "confirmed" && entry && entry.status !== "settled")
          problems.push(`swap ${row.hash} is confirmed but its reservation is ${entry.status}`);
      }
    }

    // Runs: ended, or waiting on something named.
    const runStatuses: Record<string, number> = {};
    const stuck: string[] = [];
    for (const sessionId of parameters.sessionIds) {
      const { body } = await host.request("GET", `/api/runs?sessionId=${sessionId}&limit=100`);
      for (const summary of body.runs as { id: string; status: string }[]) {
        runStatuses[summary.status] = (runStatuses[summary.status] ?? 0) + 1;
        if (ENDED.includes(summary.status)) continue;
        const run = await settleRun(host, summary.id, STUCK_AFTER_MS);
        if (!ENDED.includes(run.status) && !namedWait(run))
          stuck.push(`${summary.id} ${run.status}: ${describeSteps(run)}`);
      }
    }
    for (const line of stuck) problems.push(`run stuck: ${line}`);

    const paymentStatuses: Record<string, number> = {};
    for (const payment of payments)
      paymentStatuses[payment.status] = (paymentStatuses[payment.status] ?? 0) + 1;
    return { problems, usdcPaid, nativeSent, runStatuses, paymentStatuses, stuck };
  } finally {
    await db.end();
  }
}

/** What a not-ended run waits on, when it is something a person or the chain resolves. */
/**
 * How long a run may be between states before it counts as stuck. A named wait can end at any
 * time (a late settlement, the reconciler voiding an authorization), and the run then runs its step
 * again: "running" right after is progress, not a stuck run. Stuck means it stays so.
 */
const STUCK_AFTER_MS = 90_000;

/** Polls one run until it has ended or waits on something named, or the time is up. */
async function settleRun(host: HostProcess, runId: string, timeoutMs: number): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body: run } = await host.request("GET", `/api/runs/${runId}`);
    if (ENDED.includes(run.status) || namedWait(run) || Date.now() > deadline) return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export function namedWait(run: RunView): string | undefined {
  const approval = run.pendingApprovals?.[0];
  if (run.status === "waiting_approval" && approval) return `approval ${approval.token}`;
  if (run.status === "waiting_event") {
    const step = (run.steps ?? []).find((s) => s.status === "waiting_event");
    const token = step?.output?.waitFor?.token;
    if (typeof token === "string" && token.length > 0) return token;
  }
  return undefined;
}

function describeSteps(run: RunView): string {
  return (run.steps ?? [])
    .map((s) => `${s.action ?? "?"}=${s.status}(attempts ${s.attempts ?? "?"})`)
    .join(" ");
}

/**
 * Polls the host until every run of `runIds` has ended or waits on something named, or `timeoutMs`
 * passes; returns the ones still not there (with their last view).
 */
export async function settleRuns(
  host: HostProcess,
  runIds: string[],
  timeoutMs: number,
): Promise<Map<string, RunView | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let pending = new Map<string, RunView | undefined>(runIds.map((id) => [id, undefined]));
  while (pending.size > 0 && Date.now() < deadline) {
    const next = new Map<string, RunView | undefined>();
    for (const id of pending.keys()) {
      const answer = await host.request("GET", `/api/runs/${id}`).catch(() => undefined);
      if (answer?.status === 200 && (ENDED.includes(answer.body.status) || namedWait(answer.body)))
        continue;
      next.set(id, answer?.body);
    }
    pending = next;
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return pending;
}

/** A small seeded generator (mulberry32): the same seed gives the same fault schedule. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
