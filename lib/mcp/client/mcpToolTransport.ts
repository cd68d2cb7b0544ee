import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { decodePaymentSignatureHeader } from "@x402/core/http";
import type { PaymentRequired as CorePaymentRequired } from "@x402/core/types";
import {
  extractOffersFromPaymentRequired,
  type SignedOffer,
  type SignedReceipt,
} from "@x402/extensions/offer-receipt";
import type { Hex } from "viem";
import { z } from "zod";
import { createPinnedFetch } from "../../security/fetchPinned.js";
import { createPaymentHeader } from "../../x402/createPaymentHeader.js";
import {
  PaymentRejectedError,
  ResourceRequestError,
  X402Error,
  X402ProtocolError,
} from "../../x402/errors.js";
import {
  MAX_RESOURCE_BODY_BYTES,
  type PaidResource,
  type payForResource,
} from "../../x402/payForResource.js";
import { readTokenDomain } from "../../x402/readTokenDomain.js";
import { parsePaymentRequired } from "../../x402/requirements.js";
import { callMcpTool } from "./callMcpTool.js";
import { readPaymentRequired } from "./readPaymentRequired.js";

/** The MCP tool a transport calls. */
export interface McpToolTarget {
  /** The paid MCP server's Streamable HTTP endpoint. */
  serverUrl: string;
  name: string;
  arguments: Record<string, unknown>;
  fetch?: typeof fetch | undefined;
  timeoutMs?: number | undefined;
}

/** The x402 settlement answer in `_meta["x402/payment-response"]`. */
const settlementSchema = z.looseObject({
  success: z.boolean(),
  transaction: z.string().optional(),
  network: z.string().optional(),
  payer: z.string().optional(),
  errorReason: z.string().optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

/**
 * x402 over MCP as a drop-in for payForResource (the HTTP transport), so executePayment's
 * exactly-once machinery (nonce from the step, payment row before signing, chain recovery) pays
 * MCP tools too: call the tool → isError with PaymentRequired → select → sign the same EIP-3009
 * authorization → call again with `_meta["x402/payment"]` → read `_meta["x402/payment-response"]`.
 * Signs at most once per call; a second PaymentRequired after paying is a refusal, not a new price.
 */
export function mcpToolTransport(target: McpToolTarget): typeof payForResource {
  return async (parameters) => {
    const { account, publicClient, select } = parameters;
    // As for HTTP x402: DNS resolved once and checked, connection pinned, no redirects followed.
    const doFetch = target.fetch ?? parameters.fetch ?? createPinnedFetch({ redirect: "manual" });
    const call = (meta?: Record<string, unknown>) =>
      callMcpTool({
        serverUrl: target.serverUrl,
        name: target.name,
        arguments: target.arguments,
        meta,
        fetch: doFetch,
        timeoutMs: target.timeoutMs ?? parameters.timeoutMs,
      }).catch((cause: unknown) => {
        throw new ResourceRequestError(`MCP tool ${target.name} could not be called`, undefined, {
          cause,
        });
      });

    const first = await call();
    const declared = readPaymentRequired(first);
    if (!declared) {
      if (first.isError) {
        throw new ResourceRequestError(
          `MCP tool ${target.name} failed before payment: ${firstText(first).slice(0, 200)}`,
        );
      }
      return {
        ...contentOf(first),
        paid: false,
        settlement: null,
        url: target.serverUrl,
        requirement: null,
        authorization: null,
      };
    }

    const required = parsePaymentRequired({
      headers: new Headers(),
      body: JSON.stringify(declared),
      url: target.serverUrl,
    });
    if (required.x402Version !== 2) {
      throw new X402ProtocolError("x402 over MCP is defined for x402 version 2 only");
    }
    const offers = extractOffersFromPaymentRequired(declared as unknown as CorePaymentRequired);
    const requirement = await select(required);
    if (!parameters.authorize) {
      throw new X402Error("Paying an MCP tool needs the payment step's nonce and window");
    }
    const terms = await parameters.authorize(requirement);
    const domain = await readTokenDomain(publicClient, requirement);
    const header = await createPaymentHeader({ account, requirement, domain, ...terms });
    // The same signed payload the HTTP transport sends in PAYMENT-SIGNATURE, as an object.
    const payload = decodePaymentSignatureHeader(header.value);

    // From here the signature is exposure (hostile-payee hardening): executePayment marks the row
    // sent, so whatever the server answers next is resolved from the chain, never called failed.
    await parameters.onSigned?.(header.authorization);
    const paid = await call({ "x402/payment": payload });
    const rawSettlement = paid._meta?.["x402/payment-response"] ?? settlementInError(paid);
    const settlement = rawSettlement === undefined ? undefined : parseSettlement(rawSettlement);
    const again = readPaymentRequired(paid);
    if (again || (settlement && !settlement.success)) {
      const reason =
        settlement?.errorReason ??
        (typeof again?.error === "string" ? again.error : undefined) ??
        firstText(paid).slice(0, 200);
      throw new PaymentRejectedError(reason);
    }
    if (paid.isError) {
      // Servers settle only after the tool succeeded; executePayment still asks the chain.
      throw new ResourceRequestError(
        `MCP tool ${target.name} failed after payment: ${firstText(paid).slice(0, 200)}`,
      );
    }
    const receipt = receiptOf(settlement?.extensions);
    return {
      ...contentOf(paid),
      paid: true,
      settlement: settlement ? toSettlement(settlement, requirement.network) : null,
      url: target.serverUrl,
      requirement,
      authorization: header.authorization,
      evidence: { offers, receipt },
    } satisfies PaidResource;
  };
}

/** As payForResource reads PAYMENT-RESPONSE: a well-formed hash, or pending without one. */
function toSettlement(
  settlement: z.infer<typeof settlementSchema>,
  network: string,
): NonNullable<PaidResource["settlement"]> {
  const transaction =
    settlement.transaction && /^0x[0-9a-fA-F]{64}$/.test(settlement.transaction)
      ? (settlement.transaction as Hex)
      : null;
  const extra = settlement.extra as { status?: unknown } | undefined;
  return {
    transaction,
    pending: transaction === null && extra?.status === "pending",
    payer: settlement.payer ?? null,
    network: settlement.network ?? network,
  };
}

function parseSettlement(value: unknown): z.infer<typeof settlementSchema> {
  const parsed = settlementSchema.safeParse(value);
  if (!parsed.success) throw new X402ProtocolError("x402/payment-response is not a settlement");
  return parsed.data;
}

/** A failed settlement may travel inside the error's structuredContent (spec: settlement failure). */
function settlementInError(result: CallToolResult): unknown {
  const structured = result.structuredContent as Record<string, unknown> | undefined;
  return result.isError ? structured?.["x402/payment-response"] : undefined;
}

function receiptOf(extensions: Record<string, unknown> | undefined): SignedReceipt | null {
  const info = (extensions?.["offer-receipt"] as { info?: { receipt?: unknown } } | undefined)
    ?.info;
  const receipt = info?.receipt as SignedReceipt | undefined;
  return receipt && typeof receipt === "object" && typeof receipt.signature === "string"
    ? receipt
    : null;
}

function firstText(result: CallToolResult): string {
  const first = result.content?.find((item) => item.type === "text");
  return first?.type === "text" ? first.text : "";
}

/** The tool's answer as the paid content: its structured content (else its content) as JSON. */
function contentOf(
  result: CallToolResult,
): Pick<PaidResource, "status" | "body" | "truncated" | "contentType"> {
  const body = JSON.stringify({
    content: result.content,
    ...(result.structuredContent ? { structuredContent: result.structuredContent } : {}),
  });
  const truncated = Buffer.byteLength(body) > MAX_RESOURCE_BODY_BYTES;
  return {
    status: 200,
    body: truncated
      ? Buffer.from(body).subarray(0, MAX_RESOURCE_BODY_BYTES).toString("utf8")
      : body,
    truncated,
    contentType: "application/json",
  };
}

export type { SignedOffer, SignedReceipt };
