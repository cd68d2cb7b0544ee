import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { x402Facilitator } from "@x402/core/facilitator";
import {
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from "@x402/core/http";
import type {
  Network,
  PaymentPayload,
  PaymentRequirements,
  SettleResponse,
} from "@x402/core/types";
import { type Address, defineChain, type Hex, http } from "viem";
import { nonceManager, privateKeyToAccount } from "viem/accounts";
import { createExactFacilitator } from "../../lib/x402/createExactFacilitator.js";

/**
 * What the payee does with a request that carries a signed payment:
 * - honest: verify, settle, answer 200 with PAYMENT-RESPONSE;
 * - keep-and-fail: keep the signature, answer `status` (500), settle later itself
 *   (after `settleAfterMs`, or when the test calls settleKept());
 * - keep-and-deliver: answer 200 with content but never settle (keeps the signature);
 * - reject-again: keep the signature and answer 402 again;
 * - fake-transaction: keep the signature, answer 200 naming a made-up transaction;
 * - pending: verify now, answer 200 with a pending PAYMENT-RESPONSE, settle after `settleAfterMs`;
 * - redirect: answer 302 to `location` (to the unpaid request when `when` is "unpaid", else to
 *   the paid one);
 * - free: answer an unpaid request 200 with content, asking nothing (a signed one as honest).
 */
export type HostileBehaviour =
  | { kind: "honest" }
  | { kind: "keep-and-fail"; status?: number; settleAfterMs?: number }
  | { kind: "keep-and-deliver" }
  | { kind: "reject-again" }
  | { kind: "fake-transaction" }
  | { kind: "pending"; settleAfterMs?: number }
  | { kind: "redirect"; location: string; when: "unpaid" | "paid" }
  | { kind: "free" };

/** The x402 terms the payee asks for in its 402 answers. */
export interface PayeeTerms {
  amount: string;
  asset: Address;
  payTo: Address;
  maxTimeoutSeconds: number;
  extra: { name: string; version: string };
}

/** A signed payment the payee kept instead of settling (or before settling). */
export interface KeptPayment {
  payload: PaymentPayload;
  requirements: PaymentRequirements;
  nonce: Hex;
  settled?: SettleResponse;
}

/** One request the payee saw. */
export interface PayeeRequest {
  path: string;
  paid: boolean;
  status: number;
}

export interface HostilePayee {
  /** The paid resource (path /resource). */
  url: string;
  origin: string;
  requests: PayeeRequest[];
  kept: KeptPayment[];
  setBehaviour(behaviour: HostileBehaviour): void;
  /** Replaces (part of) the terms from the next 402 on. */
  setTerms(terms: Partial<PayeeTerms>): void;
  /** After `unpaidAnswers` more 402 answers, switch to `terms` (price changes between probe and pay). */
  changeTermsAfter(unpaidAnswers: number, terms: Partial<PayeeTerms>): void;
  /** Settles every kept, unsettled payment now with the facilitator key. */
  settleKept(): Promise<SettleResponse[]>;
  /** Settles the kept payment of one nonce now. */
  settleNonce(nonce: Hex): Promise<SettleResponse>;
  /** Waits for the settlements scheduled by keep-and-fail / pending. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartHostilePayeeOptions {
  rpcUrl: string;
  chainId: number;
  /** Key that settles (pays the gas of transferWithAuthorization). */
  facilitatorKey: Hex;
  terms: PayeeTerms;
  behaviour?: HostileBehaviour;
}

/**
 * An x402 resource server that misbehaves on request, for the money-safety tests: it keeps
 * signatures and settles them later with its own facilitator key, changes its terms between probe
 * and payment, redirects, and lies about settlement. Everything it settles is real (anvil).
 */
export async function startHostilePayee(options: StartHostilePayeeOptions): Promise<HostilePayee> {
  const facilitator = createFacilitator(options);
  const network = `eip155:${options.chainId}` as Network;
  let behaviour: HostileBehaviour = options.behaviour ?? { kind: "honest" };
  let terms: PayeeTerms = { ...options.terms };
  let pendingChange: { remaining: number; terms: Partial<PayeeTerms> } | undefined;
  const requests: PayeeRequest[] = [];
  const kept: KeptPayment[] = [];
  const timers = new Set<Promise<unknown>>();
  let origin = "";

  const requirementsFor = (current: PayeeTerms): PaymentRequirements => ({
    scheme: "exact",
    network,
    amount: current.amount,
    asset: current.asset,
    payTo: current.payTo,
    maxTimeoutSeconds: current.maxTimeoutSeconds,
    extra: current.extra,
  });

  const settle = async (entry: KeptPayment): Promise<SettleResponse> => {
    if (entry.settled) return entry.settled;
    try {
      entry.settled = await facilitator.settle(entry.payload, entry.requirements);
    } catch (error) {
      entry.settled = {
        success: false,
        errorReason: error instanceof Error ? error.message : String(error),
        transaction: "",
        network,
      };
    }
    return entry.settled;
  };
  const settleLater = (entry: KeptPayment, delayMs: number | undefined) => {
    if (delayMs === undefined) return;
    const job = new Promise((resolve) => setTimeout(resolve, delayMs)).then(() => settle(entry));
    timers.add(job);
    void job.finally(() => timers.delete(job));
  };

  const answer = (
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body = "{}",
  ) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", origin);
    const header = req.headers["payment-signature"]?.toString();
    const record = (status: number) =>
      requests.push({ path: url.pathname, paid: Boolean(header), status });
    if (url.pathname !== "/resource") {
      record(200);
      return answer(res, 200, {}, JSON.stringify({ elsewhere: url.pathname }));
    }
    if (behaviour.kind === "redirect" && behaviour.when === (header ? "paid" : "unpaid")) {
      record(302);
      return answer(res, 302, { location: behaviour.location });
    }
    if (!header && behaviour.kind === "free") {
      record(200);
      return answer(res, 200, {}, JSON.stringify({ data: "free content" }));
    }
    if (!header) {
      if (pendingChange && pendingChange.remaining <= 0) {
        terms = { ...terms, ...pendingChange.terms };
        pendingChange = undefined;
      }
      const current = terms;
      if (pendingChange) pendingChange.remaining--;
      record(402);
      return answer(res, 402, {
        "PAYMENT-REQUIRED": encodePaymentRequiredHeader({
          x402Version: 2,
          error: "Payment required",
          resource: { url: url.toString() },
          accepts: [requirementsFor(current)],
        }),
      });
    }
    const payload = decodePaymentSignatureHeader(header);
    const requirements = payload.accepted as PaymentRequirements;
    const nonce = (payload.payload as { authorization: { nonce: Hex } }).authorization.nonce;
    const entry: KeptPayment = { payload, requirements, nonce };
    const content = JSON.stringify({ data: "hostile content", nonce });
    switch (behaviour.kind) {
      case "free":
      case "honest": {
        const settled = await settle(entry);
        record(settled.success ? 200 : 402);
        if (!settled.success)
          return answer(res, 402, {}, JSON.stringify({ error: settled.errorReason }));
        return answer(
          res,
          200,
          { "PAYMENT-RESPONSE": encodePaymentResponseHeader(settled) },
          content,
        );
      }
      case "keep-and-fail":
        kept.push(entry);
        settleLater(entry, behaviour.settleAfterMs);
        record(behaviour.status ?? 500);
        return answer(res, behaviour.status ?? 500, {}, JSON.stringify({ error: "internal" }));
      case "keep-and-deliver":
        kept.push(entry);
        record(200);
        return answer(res, 200, {}, content);
      case "reject-again":
        kept.push(entry);
        record(402);
        return answer(res, 402, {
          "PAYMENT-REQUIRED": encodePaymentRequiredHeader({
            x402Version: 2,
            error: "payment_expired",
            resource: { url: url.toString() },
            accepts: [requirementsFor(terms)],
          }),
        });
      case "fake-transaction":
        kept.push(entry);
        record(200);
        return answer(
          res,
          200,
          {
            "PAYMENT-RESPONSE": encodePaymentResponseHeader({
              success: true,
              transaction: `0x${"ab".repeat(32)}`,
              network,
              payer: (payload.payload as { authorization: { from: string } }).authorization.from,
            }),
          },
          content,
        );
      case "pending": {
        const verified = await facilitator.verify(payload, requirements);
        if (!verified.isValid) {
          record(402);
          return answer(res, 402, {}, JSON.stringify({ error: verified.invalidReason }));
        }
        kept.push(entry);
        settleLater(entry, behaviour.settleAfterMs ?? 0);
        record(200);
        return answer(
          res,
          200,
          {
            "PAYMENT-RESPONSE": encodePaymentResponseHeader({
              success: true,
              transaction: "",
              network,
              extra: { status: "pending" },
            }),
          },
          content,
        );
      }
      case "redirect":
        kept.push(entry);
        record(500);
        return answer(res, 500, {});
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) answer(res, 500, {}, JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  return {
    url: `${origin}/resource`,
    origin,
    requests,
    kept,
    setBehaviour: (next) => {
      behaviour = next;
    },
    setTerms: (next) => {
      terms = { ...terms, ...next };
    },
    changeTermsAfter: (unpaidAnswers, next) => {
      pendingChange = { remaining: unpaidAnswers, terms: next };
    },
    settleKept: () => Promise.all(kept.filter((entry) => !entry.settled).map(settle)),
    settleNonce: async (nonce) => {
      const entry = kept.find((item) => item.nonce.toLowerCase() === nonce.toLowerCase());
      if (!entry) throw new Error(`the payee kept no payment with nonce ${nonce}`);
      return settle(entry);
    },
    flush: async () => {
      while (timers.size > 0) await Promise.allSettled([...timers]);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The official @x402/evm "exact" facilitator with the payee's own key, on the test chain. */
function createFacilitator(options: StartHostilePayeeOptions): x402Facilitator {
  const chain = defineChain({
    id: options.chainId,
    name: "hostile-devnet",
    nativeCurrency: { name: "CRO", symbol: "CRO", decimals: 18 },
    rpcUrls: { default: { http: [options.rpcUrl] } },
  });
  return createExactFacilitator({
    chain,
    transport: http(options.rpcUrl),
    account: privateKeyToAccount(options.facilitatorKey, { nonceManager }),
  });
}
