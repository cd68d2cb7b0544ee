import type { FacilitatorClient } from "@x402/core/server";
import type {
  Network,
  PaymentPayload,
  PaymentRequirements,
  SettleResponse,
  SupportedResponse,
  VerifyResponse,
} from "@x402/core/types";
import { z } from "zod";
import { readBodyCapped } from "../security/readBodyCapped.js";
import { X402Error } from "./errors.js";

/** Cronos Labs' public facilitator (production default of X402_FACILITATOR_URL). */
export const CRONOS_FACILITATOR_URL = "https://facilitator.cronoslabs.org/v2/x402";

/** Its answers are a few hundred bytes; this leaves room for a long list of supported kinds. */
const maxFacilitatorBodyBytes = 1024 * 1024;

const toCronosName: Record<string, string> = {
  "eip155:25": "cronos-mainnet",
  "eip155:338": "cronos-testnet",
};
const fromCronosName: Record<string, Network> = {
  "cronos-mainnet": "eip155:25",
  "cronos-testnet": "eip155:338",
};

const authorizationSchema = z.object({
  from: z.string(),
  to: z.string(),
  value: z.string(),
  validAfter: z.string(),
  validBefore: z.string(),
  nonce: z.string(),
});
const exactPayloadSchema = z.object({ authorization: authorizationSchema, signature: z.string() });

const supportedSchema = z.object({
  kinds: z.array(
    z.looseObject({ x402Version: z.number(), scheme: z.string(), network: z.string() }),
  ),
});
const verifySchema = z.looseObject({
  isValid: z.boolean(),
  invalidReason: z.string().nullish(),
});
const settleSchema = z.looseObject({
  event: z.string().optional(),
  txHash: z.string().optional(),
  from: z.string().optional(),
  network: z.string().optional(),
  error: z.string().optional(),
});

/** Options of CronosFacilitatorClient. */
export interface CronosFacilitatorOptions {
  url?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Lets @x402/core's v2 resource server settle through Cronos' facilitator, which speaks the v1
 * dialect: `X402-Version: 1`, network names "cronos-testnet"/"cronos-mainnet", and a base64
 * payment header whose payload is flat {from,to,value,validAfter,validBefore,nonce,signature,asset}.
 * Written from Cronos' published API reference; it has not been exercised against the live
 * service from this environment.
 */
export class CronosFacilitatorClient implements FacilitatorClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: CronosFacilitatorOptions = {}) {
    this.url = (options.url ?? CRONOS_FACILITATOR_URL).replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 90_000;
    this.fetch = options.fetch ?? fetch;
  }

  /** Verifies a v2 payment through the v1 endpoint. */
  async verify(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<VerifyResponse> {
    const body = verifySchema.parse(await this.post("verify", payload, requirements));
    const payer = exactPayloadSchema.safeParse(payload.payload).data?.authorization.from;
    return {
      isValid: body.isValid,
      ...(body.invalidReason ? { invalidReason: body.invalidReason } : {}),
      ...(payer ? { payer } : {}),
    };
  }

  /** Settles a v2 payment through the v1 endpoint and maps the answer back to v2. */
  async settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<SettleResponse> {
    const body = settleSchema.parse(await this.post("settle", payload, requirements));
    const network = requirements.network;
    if (body.event === "payment.settled" && body.txHash) {
      return {
        success: true,
        transaction: body.txHash,
        network,
        ...(body.from ? { payer: body.from } : {}),
      };
    }
    return {
      success: false,
      transaction: body.txHash ?? "",
      network,
      errorReason: body.error ?? body.event ?? "settlement_failed",
    };
  }

  /** The kinds Cronos supports, renamed to CAIP-2 so the v2 resource server recognises them. */
  async getSupported(): Promise<SupportedResponse> {
    const response = await this.fetch(`${this.url}/supported`, {
      headers: { "X402-Version": "1" },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok)
      throw new X402Error(`Cronos facilitator /supported answered ${response.status}`, {
        kind: response.status >= 500 || response.status === 429 ? "transient" : "fatal",
      });
    const body = supportedSchema.parse(await this.readJson(response, "supported"));
    return {
      kinds: body.kinds.flatMap((kind) => {
        const network = fromCronosName[kind.network];
        return network ? [{ x402Version: 2, scheme: kind.scheme, network }] : [];
      }),
      extensions: [],
      signers: {},
    };
  }

  private async post(
    path: "verify" | "settle",
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<unknown> {
    const network = toCronosName[requirements.network];
    if (!network) throw new X402Error(`Cronos' facilitator does not serve ${requirements.network}`);
    const exact = exactPayloadSchema.parse(payload.payload);
    const header = {
      x402Version: 1,
      scheme: requirements.scheme,
      network,
      payload: { ...exact.authorization, signature: exact.signature, asset: requirements.asset },
    };
    const response = await this.fetch(`${this.url}/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X402-Version": "1" },
      body: JSON.stringify({
        x402Version: 1,
        paymentHeader: Buffer.from(JSON.stringify(header)).toString("base64"),
        paymentRequirements: {
          scheme: requirements.scheme,
          network,
          payTo: requirements.payTo,
          asset: requirements.asset,
          maxAmountRequired: requirements.amount,
          maxTimeoutSeconds: requirements.maxTimeoutSeconds,
          resource: payload.resource?.url ?? "",
          description: payload.resource?.description ?? "",
          mimeType: payload.resource?.mimeType ?? "application/json",
          extra: requirements.extra,
        },
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    return this.readJson(response, path);
  }

  /**
   * The answer's JSON, read at most maxFacilitatorBodyBytes deep. Over the cap is an error, not a
   * truncation: a cut document cannot be parsed, and no honest answer is that large.
   */
  private async readJson(response: Response, path: string): Promise<unknown> {
    const { text, truncated } = await readBodyCapped(response, maxFacilitatorBodyBytes);
    if (truncated)
      throw new X402Error(`Cronos facilitator /${path} answered more than 1 MiB`, {
        kind: "fatal",
      });
    try {
      return JSON.parse(text);
    } catch {
      // A 5xx without JSON is the facilitator being down (a retry may pass); otherwise it is broken.
      throw new X402Error(`Cronos facilitator /${path} answered ${response.status} without JSON`, {
        kind: response.status >= 500 || response.status === 429 ? "transient" : "fatal",
      });
    }
  }
}
