import { randomBytes } from "node:crypto";
import {
  type Address,
  createPublicClient,
  erc20Abi,
  type Hex,
  http,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  releaseBudget,
  reserveBudget,
  settleBudget,
  sumLedger,
} from "../../../lib/budget/index.js";
import { createMemoryCache } from "../../../lib/cache/memory.js";
import type { Cache } from "../../../lib/cache/types.js";
import {
  type ChainContext,
  createChainContext,
  resetChainContext,
} from "../../../lib/chain/clients.js";
import { findToken } from "../../../lib/chain/registry.js";
import { resetConfig } from "../../../lib/config.js";
import { requireEndpointKey } from "../../../lib/registry/endpointKey.js";
import { executePayment, type PaymentOutcome } from "../../../lib/x402/executePayment.js";
import type { ExpectedTerms } from "../../../lib/x402/expectedTerms.js";
import { eip3009NonceAbi } from "../../../lib/x402/readAuthorizationState.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";
import { startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";
import {
  type HostileBehaviour,
  type HostilePayee,
  startHostilePayee,
} from "../../helpers/hostilePayee.js";

/** How one pay step ended, seen the way the pay action sees it. */
export type StepResult =
  | { kind: "settled" | "unknown"; outcome: PaymentOutcome }
  | { kind: "thrown"; error: Error };

export interface PayStepParameters {
  sessionId: string;
  /** Step index: the reservation key is (runId, index). */
  index?: number;
  url: string;
  maxAmount: bigint;
  expected?: ExpectedTerms;
  /** The chain context used to cancel; null to pay without one (cancel impossible). */
  chain?: ChainContext | null;
  authorizationTtlSeconds?: number;
  fetch?: typeof fetch;
  serviceId?: string;
}

export interface HostileHarness {
  devnet: TestDevnet;
  db: TestDb;
  cache: Cache;
  chain: ChainContext;
  publicClient: PublicClient;
  usdc: Address;
  agent: ReturnType<typeof privateKeyToAccount>;
  /** Block the harness started at: logs are searched from here. */
  startBlock: bigint;
  usdcBalance(address: Address): Promise<bigint>;
  /** A session with a USDC budget (base units). */
  newSession(budget: bigint): Promise<string>;
  /** A run row (payments reference runs). */
  newRun(sessionId: string): Promise<string>;
  /** A registry service (for reputation assertions). */
  newService(endpoint: string): Promise<string>;
  /** A service's recorded outcomes. */
  reputationOf(serviceId: string): Promise<{ successes: number; failures: number }>;
  /**
   * One pay step the way the pay action runs it: reserve the limit, pay, then settle the
   * reservation (settled), keep it (unknown), or release it (anything thrown: nothing was paid).
   */
  payStep(runId: string, parameters: PayStepParameters): Promise<StepResult>;
  /** Settled and reserved spend of a session in USDC (base units). */
  ledger(sessionId: string): Promise<{ spent: bigint; reserved: bigint }>;
  /** Nonces the agent's authorizations used on chain since the start, with their amounts. */
  usedAuthorizations(): Promise<Map<Hex, bigint>>;
  /** Mines a block at the current wall-clock time (anvil only mines on transactions). */
  mine(): Promise<void>;
  stop(): Promise<void>;
}

/** A fresh anvil with the fixtures, a scratch Postgres database and the agent's chain context. */
export async function startHostileHarness(): Promise<HostileHarness> {
  const [devnet, db] = await Promise.all([startTestDevnet(), createTestDb("pg")]);
  process.env.PAYGENT_NETWORK = "devnet";
  process.env.RPC_URL = devnet.rpcUrl;
  delete process.env.PAYGENT_FAULT;
  resetConfig();
  resetChainContext();
  const chain = createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl });
  const publicClient = createPublicClient({
    chain: chain.chain,
    transport: http(devnet.rpcUrl),
    pollingInterval: 50,
  }) as PublicClient;
  const usdcToken = findToken("devnet", "USDC");
  if (!usdcToken || usdcToken.address === "native") throw new Error("devnet USDC missing");
  const usdc = usdcToken.address;
  const agent = privateKeyToAccount(devnet.accounts.agent.privateKey);
  const cache = createMemoryCache();
  const startBlock = await publicClient.getBlockNumber();

  const harness: HostileHarness = {
    devnet,
    db,
    cache,
    chain,
    publicClient,
    usdc,
    agent,
    startBlock,
    usdcBalance: (owner) =>
      publicClient.readContract({
        address: usdc,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [owner],
      }),
    async newSession(budget) {
      const id = `ses_h_${randomBytes(5).toString("hex")}`;
      await db.db
        .insertInto("agent_sessions")
        .values({ id, budget_amount: budget, budget_token: "USDC" })
        .execute();
      return id;
    },
    async newRun(sessionId) {
      const id = `run_h_${randomBytes(5).toString("hex")}`;
      await db.db
        .insertInto("runs")
        .values({ id, session_id: sessionId, command: "pay a hostile payee", status: "running" })
        .execute();
      return id;
    },
    async newService(endpoint) {
      const id = `svc_h_${randomBytes(5).toString("hex")}`;
      await db.db
        .insertInto("services")
        .values({
          id,
          name: id,
          category: "data",
          endpoint,
          endpoint_key: requireEndpointKey(endpoint),
          pricing_model: "pay-per-call",
          price_amount: "1000000",
          price_asset: usdc,
          price_network: `eip155:${devnet.chainId}`,
        })
        .execute();
      return id;
    },
    async reputationOf(serviceId) {
      const row = await db.db
        .selectFrom("services")
        .select(["successes", "failures"])
        .where("id", "=", serviceId)
        .executeTakeFirstOrThrow();
      return { successes: Number(row.successes), failures: Number(row.failures) };
    },
    async payStep(runId, parameters) {
      const index = parameters.index ?? 0;
      const key = { runId, stepIndex: index };
      try {
        await reserveBudget({
          db: db.db,
          cache,
          sessionId: parameters.sessionId,
          ...key,
          token: "USDC",
          amount: parameters.maxAmount,
        });
        const outcome = await executePayment({
          db: db.db,
          runId,
          stepId: `${runId}:${index}`,
          sessionId: parameters.sessionId,
          serviceId: parameters.serviceId ?? null,
          url: parameters.url,
          maxAmount: parameters.maxAmount,
          allowedAssets: [{ address: usdc, symbol: "USDC" }],
          expected: parameters.expected,
          reservation: key,
          account: agent,
          publicClient,
          chain: parameters.chain === null ? undefined : (parameters.chain ?? chain),
          authorizationTtlSeconds: parameters.authorizationTtlSeconds,
          ...(parameters.fetch ? { fetch: parameters.fetch } : {}),
        });
        if (outcome.status === "settled") {
          await settleBudget({ db: db.db, cache, ...key, actualAmount: outcome.amount });
          return { kind: "settled", outcome };
        }
        return { kind: "unknown", outcome };
      } catch (error) {
        // executePayment throws only when nothing was paid: the reservation goes back.
        await releaseBudget({ db: db.db, cache, ...key });
        return { kind: "thrown", error: error as Error };
      }
    },
    async ledger(sessionId) {
      return sumLedger(db.db, { sessionId, unit: "usdc" });
    },
    async usedAuthorizations() {
      const logs = await publicClient.getLogs({
        address: usdc,
        event: eip3009NonceAbi[1],
        args: { authorizer: agent.address },
        fromBlock: startBlock,
      });
      const used = new Map<Hex, bigint>();
      for (const log of logs) {
        const receipt = await publicClient.getTransactionReceipt({ hash: log.transactionHash });
        const transfer = receipt.logs.find(
          (entry) =>
            entry.address.toLowerCase() === usdc.toLowerCase() &&
            entry.topics[0] ===
              "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
        );
        used.set(log.args.nonce as Hex, transfer ? BigInt(transfer.data) : 0n);
      }
      return used;
    },
    async mine() {
      await publicClient.request({ method: "evm_mine" as never, params: [] as never });
    },
    async stop() {
      await Promise.allSettled([devnet.stop(), db.dispose(), cache.close()]);
    },
  };
  return harness;
}

/**
 * A hostile payee on the harness's chain asking `amount` base units of its USDC, paid to the
 * merchant, settled by the facilitator key: the terms every x402 hostility test starts from.
 */
export async function startHarnessPayee(
  h: HostileHarness,
  parameters: { amount: bigint; behaviour?: HostileBehaviour },
): Promise<HostilePayee> {
  return startHostilePayee({
    rpcUrl: h.devnet.rpcUrl,
    chainId: h.devnet.chainId,
    facilitatorKey: h.devnet.accounts.facilitator.privateKey,
    terms: {
      amount: parameters.amount.toString(),
      asset: h.usdc,
      payTo: h.devnet.accounts.merchant.address,
      maxTimeoutSeconds: 3600,
      extra: { name: "Paygent USD", version: "2" },
    },
    ...(parameters.behaviour ? { behaviour: parameters.behaviour } : {}),
  });
}
