import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type {
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  SettleResponse,
} from "@x402/core/types";
import { declareOfferReceiptExtension } from "@x402/extensions/offer-receipt";
import { z } from "zod";
import { log } from "../../log.js";
import { mcpToolResourceUrl } from "../client/payMcpTool.js";
import { serveStatelessMcp } from "../serveStatelessMcp.js";
import { getPaidMcpResourceServer } from "./getPaidMcpResourceServer.js";

/** One paid tool of a paid MCP server. */
export interface PaidMcpTool<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  inputSchema: S;
  /** Price per call in base units of the network's USDC. */
  amount: string;
  /** Produces the paid answer; a throw is answered unpaid (nothing is settled). */
  handler: (args: z.output<S>) => Promise<Record<string, unknown>>;
}

/** Options of servePaidMcpRequest. */
export interface ServePaidMcpRequestOptions {
  /** Server name announced at initialize. */
  name: string;
  tools: readonly PaidMcpTool[];
}

/** What a client sends in `_meta["x402/payment"]`: a v2 PaymentPayload (checked in full by the facilitator). */
const paymentPayloadSchema = z.looseObject({
  x402Version: z.literal(2),
  accepted: z.looseObject({ scheme: z.string(), network: z.string() }),
  payload: z.record(z.string(), z.unknown()),
});

/**
 * Serves one request of a paid MCP server (x402 over MCP, specs/transports-v2/mcp.md) over
 * stateless Streamable HTTP. A call without `_meta["x402/payment"]` gets `isError` with PaymentRequired in
 * structuredContent and in content[0].text; a call with one is verified with the facilitator, run,
 * settled, and answered with `_meta["x402/payment-response"]` (and a signed receipt on the devnet).
 * A tool that fails is not settled: the authorization stays unused.
 */
export async function servePaidMcpRequest(
  request: Request,
  options: ServePaidMcpRequestOptions,
): Promise<Response> {
  const endpoint = new URL(request.url);
  endpoint.search = "";
  const server = new McpServer({ name: options.name, version: "1.0.0" });
  for (const tool of options.tools) {
    server.registerTool(
      tool.name,
      {
        description: `${tool.description} Paid: ${tool.amount} base units of USDC per call via x402.`,
        inputSchema: tool.inputSchema,
      },
      async (args, extra) =>
        callPaidTool(tool, args, extra._meta?.["x402/payment"], endpoint.toString()),
    );
  }
  return serveStatelessMcp(server, request);
}

async function callPaidTool(
  tool: PaidMcpTool,
  args: unknown,
  payment: unknown,
  endpoint: string,
): Promise<CallToolResult> {
  const { server, terms, signsReceipts } = await getPaidMcpResourceServer();
  const resource = {
    url: mcpToolResourceUrl(endpoint, tool.name),
    description: tool.description,
    mimeType: "application/json",
  };
  const declared = signsReceipts ? declareOfferReceiptExtension({ includeTxHash: true }) : {};
  const accepts = await server.buildPaymentRequirements({
    scheme: "exact",
    network: terms.network,
    payTo: terms.payTo,
    price: { amount: tool.amount, asset: terms.asset, extra: terms.extra },
    maxTimeoutSeconds: 300,
  });
  const paymentRequired = (error: string) =>
    server.createPaymentRequiredResponse(accepts, resource, error, declared);

  if (payment === undefined)
    return paymentRequiredResult(await paymentRequired("Payment required"));
  const parsed = paymentPayloadSchema.safeParse(payment);
  if (!parsed.success) {
    return paymentRequiredResult(await paymentRequired("x402/payment is not a PaymentPayload"));
  }
  const payload = parsed.data as unknown as PaymentPayload;
  const requirements = server.findMatchingRequirements(accepts, payload);
  if (!requirements) {
    return paymentRequiredResult(
      await paymentRequired("No offered requirement matches the payment"),
    );
  }
  const verified = await server
    .verifyPayment(payload, requirements, declared)
    .catch((error: unknown) => ({ isValid: false, invalidReason: reasonOf(error) }));
  if (!verified.isValid) {
    return paymentRequiredResult(
      await paymentRequired(verified.invalidReason ?? "invalid_payment"),
    );
  }

  let output: Record<string, unknown>;
  try {
    output = await tool.handler(tool.inputSchema.parse(args));
  } catch (error) {
    log.warn("paid MCP tool failed; not settled", { tool: tool.name, error });
    return {
      isError: true,
      content: [{ type: "text", text: `${tool.name} failed; nothing was charged` }],
    };
  }

  // The offer-receipt extension signs the receipt for the URL the transport reports.
  const transportContext = { request: { adapter: { getUrl: () => resource.url } } };
  const settled: SettleResponse = await settle(
    server,
    payload,
    requirements,
    declared,
    transportContext,
  );
  if (!settled.success) {
    const failed = await paymentRequired(
      `Payment settlement failed: ${settled.errorReason ?? "unknown"}`,
    );
    return paymentRequiredResult(failed, settled);
  }
  return {
    content: [{ type: "text", text: JSON.stringify(output) }],
    structuredContent: output,
    _meta: { "x402/payment-response": settled },
  };
}

async function settle(
  server: Awaited<ReturnType<typeof getPaidMcpResourceServer>>["server"],
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  declared: Record<string, unknown>,
  transportContext: unknown,
): Promise<SettleResponse> {
  try {
    return await server.settlePayment(payload, requirements, declared, transportContext);
  } catch (error) {
    return {
      success: false,
      errorReason: reasonOf(error),
      transaction: "",
      network: requirements.network,
    } as SettleResponse;
  }
}

/** The spec's payment-required tool result: PaymentRequired in structuredContent and content[0].text. */
function paymentRequiredResult(
  required: PaymentRequired,
  settlement?: SettleResponse,
): CallToolResult {
  const structured = {
    ...required,
    ...(settlement ? { "x402/payment-response": settlement } : {}),
  } as unknown as Record<string, unknown>;
  return {
    isError: true,
    structuredContent: structured,
    content: [
      {
        type: "text",
        text: JSON.stringify({
          "x402/error": {
            code: 402,
            message: required.error ?? "Payment required",
            data: structured,
          },
        }),
      },
    ],
  };
}

function reasonOf(error: unknown): string {
  const reason = (error as { invalidReason?: unknown; errorReason?: unknown } | null) ?? {};
  if (typeof reason.invalidReason === "string") return reason.invalidReason;
  if (typeof reason.errorReason === "string") return reason.errorReason;
  return error instanceof Error ? error.message.slice(0, 200) : "facilitator_error";
}
