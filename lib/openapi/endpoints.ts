import { z } from "zod";
import { listQuery as listSessionsQuery } from "../../api/agent/sessions/index.js";
import { requestSchema as facilitatorRequest } from "../../api/facilitator/[action].js";
import { paramsSchema as keyParams } from "../../api/keys/[id].js";
import {
  createSchema as createKeyRequest,
  listSchema as listKeysQuery,
} from "../../api/keys/index.js";
import { paymentId } from "../../api/payments/[id].js";
import { listSchema as listPaymentsQuery } from "../../api/payments/index.js";
import { statsSchema as paymentStatsQuery } from "../../api/payments/stats.js";
import { payRequest } from "../../api/payments/x402.js";
import { serviceId } from "../../api/services/[id].js";
import { subscriptionId } from "../../api/subscriptions/[id].js";
import { querySchema as allowanceQuery } from "../../api/wallet/allowance.js";
import { querySchema as balanceQuery } from "../../api/wallet/balance.js";
import { querySchema as transactionsQuery } from "../../api/wallet/transactions.js";
import { transferRequest } from "../../api/wallet/transfer.js";
import { chainEvent } from "../../api/webhooks/chain.js";
import { paymentEvent } from "../../api/webhooks/payment.js";
import {
  discoverQuerySchema,
  serviceInputSchema,
  serviceUpdateSchema,
} from "../registry/schemas.js";
import {
  approvalDecision,
  approvalToken,
  createSessionRequest,
  executeRequest,
  listApprovalsQuery,
  listRunsQuery,
  runId,
  sessionId,
} from "../runs/schemas.js";
import { createSubscriptionSchema } from "../subscriptions/createSubscription.js";
import { listSubscriptionsSchema } from "../subscriptions/listSubscriptions.js";

/** HTTP methods an api/ file can export as handlers. */
export type EndpointMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call an endpoint: any API key, admin keys only, anyone, an HMAC-signed webhook sender,
 * Vercel Cron (CRON_SECRET), or anyone who pays via x402.
 */
export type EndpointAuth = "key" | "admin" | "public" | "webhook" | "cron" | "x402";

/** One operation of the API, described by the same zod schemas its handler validates with. */
export interface Endpoint {
  method: EndpointMethod;
  /** The route as the api/ file path gives it: "/api/runs/[id]". */
  route: string;
  operationId: string;
  summary: string;
  tag: string;
  auth: EndpointAuth;
  /** Path parameters, one zod schema per `[name]` segment. */
  params?: Record<string, z.ZodType>;
  query?: z.ZodType;
  /** Request body, published under components.schemas[name]. */
  body?: { name: string; schema: z.ZodType };
  success: { status: number; description: string; contentType?: string };
  /** The handler counts requests against a rate-limit bucket (429 possible). */
  rateLimited?: boolean;
  /** Extra documented outcomes beyond the ones auth and validation imply. */
  responses?: Record<number, string>;
}

// The facilitator route validates its action by hand; this documents the values it accepts.
const facilitatorReadAction = z.enum(["supported"]).describe("supported");
const facilitatorWriteAction = z.enum(["verify", "settle"]).describe("verify or settle a payment");

/** Every operation served under api/, kept in step with the files by tests/api/openapi.test.ts. */
export const endpoints: readonly Endpoint[] = [
  // agent
  {
    method: "POST",
    route: "/api/agent/execute",
    operationId: "executeCommand",
    summary: "Accept a plain-language command and start its durable run",
    tag: "agent",
    auth: "key",
    body: { name: "ExecuteRequest", schema: executeRequest },
    success: {
      status: 202,
      description: "Run started (or replayed for a repeated Idempotency-Key)",
    },
    rateLimited: true,
    responses: { 422: "The command cannot be understood" },
  },
  {
    method: "GET",
    route: "/api/agent/sessions",
    operationId: "listSessions",
    summary: "Sessions visible to the caller, newest first",
    tag: "agent",
    auth: "key",
    query: listSessionsQuery,
    success: { status: 200, description: "A page of sessions" },
  },
  {
    method: "POST",
    route: "/api/agent/sessions",
    operationId: "createSession",
    summary: "Open a session with a budget, a daily limit and an approval threshold",
    tag: "agent",
    auth: "key",
    body: { name: "CreateSessionRequest", schema: createSessionRequest },
    success: { status: 201, description: "The new session" },
  },
  {
    method: "GET",
    route: "/api/agent/sessions/[id]",
    operationId: "getSession",
    summary: "A session with its budget: spent, reserved, remaining",
    tag: "agent",
    auth: "key",
    params: { id: sessionId },
    success: { status: 200, description: "The session" },
  },
  {
    method: "DELETE",
    route: "/api/agent/sessions/[id]",
    operationId: "closeSession",
    summary: "Cancel the session's active runs and close it",
    tag: "agent",
    auth: "key",
    params: { id: sessionId },
    success: { status: 200, description: "The closed session" },
  },
  // runs
  {
    method: "GET",
    route: "/api/runs",
    operationId: "listRuns",
    summary: "Runs visible to the caller, newest first",
    tag: "runs",
    auth: "key",
    query: listRunsQuery,
    success: { status: 200, description: "A page of runs" },
  },
  {
    method: "GET",
    route: "/api/runs/[id]",
    operationId: "getRun",
    summary: "Status, intent, plan, execution log, pending approvals, result and cost of a run",
    tag: "runs",
    auth: "key",
    params: { id: runId },
    success: { status: 200, description: "The run" },
  },
  {
    method: "POST",
    route: "/api/runs/[id]/cancel",
    operationId: "cancelRun",
    summary: "Kill switch: no payment or swap starts after it is accepted",
    tag: "runs",
    auth: "key",
    params: { id: runId },
    success: { status: 202, description: "Cancellation accepted" },
  },
  {
    method: "GET",
    route: "/api/runs/[id]/events",
    operationId: "streamRunEvents",
    summary: "Server-Sent Events of a run; reconnect with Last-Event-ID",
    tag: "runs",
    auth: "key",
    params: { id: runId },
    success: { status: 200, description: "An event stream", contentType: "text/event-stream" },
  },
  // approvals
  {
    method: "GET",
    route: "/api/approvals",
    operationId: "listApprovals",
    summary: "Approval requests visible to the caller",
    tag: "approvals",
    auth: "key",
    query: listApprovalsQuery,
    success: { status: 200, description: "The approvals" },
  },
  {
    method: "POST",
    route: "/api/approvals/[token]",
    operationId: "decideApproval",
    summary: "Approve, reject or edit a pending action and resume its run",
    tag: "approvals",
    auth: "key",
    params: { token: approvalToken },
    body: { name: "ApprovalDecision", schema: approvalDecision },
    success: { status: 200, description: "The decision as recorded" },
    responses: { 409: "The approval was already decided or expired" },
  },
  // payments
  {
    method: "GET",
    route: "/api/payments",
    operationId: "listPayments",
    summary: "x402 payments, newest first; session keys see their sessions' only",
    tag: "payments",
    auth: "key",
    query: listPaymentsQuery,
    success: { status: 200, description: "A page of payments" },
  },
  {
    method: "GET",
    route: "/api/payments/[id]",
    operationId: "getPayment",
    summary: "One payment",
    tag: "payments",
    auth: "key",
    params: { id: paymentId },
    success: { status: 200, description: "The payment" },
  },
  {
    method: "GET",
    route: "/api/payments/stats",
    operationId: "getPaymentStats",
    summary: "Counts and sums per asset and network",
    tag: "payments",
    auth: "key",
    query: paymentStatsQuery,
    success: { status: 200, description: "The statistics" },
  },
  {
    method: "POST",
    route: "/api/payments/x402",
    operationId: "payX402Resource",
    summary: "Pay one x402 resource as a durable run",
    tag: "payments",
    auth: "key",
    body: { name: "PayX402Request", schema: payRequest },
    success: {
      status: 202,
      description: "Run started (or replayed for a repeated Idempotency-Key)",
    },
    rateLimited: true,
  },
  // services
  {
    method: "GET",
    route: "/api/services",
    operationId: "listServices",
    summary: "The service registry, best reputation first",
    tag: "services",
    auth: "key",
    query: discoverQuerySchema,
    success: { status: 200, description: "A page of services" },
  },
  {
    method: "POST",
    route: "/api/services",
    operationId: "createService",
    summary: "Register a paid service (admin)",
    tag: "services",
    auth: "admin",
    body: { name: "ServiceInput", schema: serviceInputSchema },
    success: { status: 201, description: "The registered service" },
    rateLimited: true,
    responses: { 409: "A service with this name or endpoint exists" },
  },
  {
    method: "GET",
    route: "/api/services/discover",
    operationId: "discoverServices",
    summary: "Find services by category, words, price and reputation",
    tag: "services",
    auth: "key",
    query: discoverQuerySchema,
    success: { status: 200, description: "A page of matching services" },
  },
  {
    method: "GET",
    route: "/api/services/[id]",
    operationId: "getService",
    summary: "One service with its price, reputation and call statistics",
    tag: "services",
    auth: "key",
    params: { id: serviceId },
    success: { status: 200, description: "The service" },
  },
  {
    method: "PUT",
    route: "/api/services/[id]",
    operationId: "updateService",
    summary: "Change declared fields of a service (admin)",
    tag: "services",
    auth: "admin",
    params: { id: serviceId },
    body: { name: "ServiceUpdate", schema: serviceUpdateSchema },
    success: { status: 200, description: "The updated service" },
    rateLimited: true,
  },
  {
    method: "DELETE",
    route: "/api/services/[id]",
    operationId: "deleteService",
    summary: "Remove a service nothing refers to (admin)",
    tag: "services",
    auth: "admin",
    params: { id: serviceId },
    success: { status: 200, description: "Deleted" },
    rateLimited: true,
    responses: { 409: "Payments or subscriptions refer to the service" },
  },
  {
    method: "GET",
    route: "/api/services/[id]/pricing",
    operationId: "getServicePricing",
    summary: "The live price from the service's own 402 answer, next to the declared one",
    tag: "services",
    auth: "key",
    params: { id: serviceId },
    success: { status: 200, description: "Declared and live price" },
    rateLimited: true,
    responses: { 502: "The provider did not answer a proper 402" },
  },
  // subscriptions
  {
    method: "GET",
    route: "/api/subscriptions",
    operationId: "listSubscriptions",
    summary: "Subscriptions of the caller's sessions, newest first",
    tag: "subscriptions",
    auth: "key",
    query: listSubscriptionsSchema,
    success: { status: 200, description: "A page of subscriptions" },
  },
  {
    method: "POST",
    route: "/api/subscriptions",
    operationId: "createSubscription",
    summary: "Subscribe a session to a service; renewals run as durable sleeps",
    tag: "subscriptions",
    auth: "key",
    body: { name: "CreateSubscriptionRequest", schema: createSubscriptionSchema },
    success: { status: 201, description: "The subscription" },
    rateLimited: true,
    responses: { 409: "The session already has an active subscription to the service" },
  },
  {
    method: "GET",
    route: "/api/subscriptions/[id]",
    operationId: "getSubscription",
    summary: "One subscription",
    tag: "subscriptions",
    auth: "key",
    params: { id: subscriptionId },
    success: { status: 200, description: "The subscription" },
  },
  {
    method: "DELETE",
    route: "/api/subscriptions/[id]",
    operationId: "cancelSubscription",
    summary: "Cancel: no more renewals; the paid period stays usable",
    tag: "subscriptions",
    auth: "key",
    params: { id: subscriptionId },
    success: { status: 200, description: "The cancelled subscription" },
  },
  // wallet
  {
    method: "GET",
    route: "/api/wallet/allowance",
    operationId: "getDailyAllowance",
    summary: "What is left of a session's daily limit today (UTC)",
    tag: "wallet",
    auth: "key",
    query: allowanceQuery,
    success: { status: 200, description: "The allowance (null without a daily limit)" },
  },
  {
    method: "GET",
    route: "/api/wallet/balance",
    operationId: "getWalletBalance",
    summary: "The agent wallet's balances, in base units and formatted",
    tag: "wallet",
    auth: "key",
    query: balanceQuery,
    success: { status: 200, description: "Balances per token" },
    responses: { 503: "The chain RPC did not answer" },
  },
  {
    method: "GET",
    route: "/api/wallet/transactions",
    operationId: "listWalletTransactions",
    summary: "The agent wallet's chain transactions, newest first",
    tag: "wallet",
    auth: "key",
    query: transactionsQuery,
    success: { status: 200, description: "A page of transactions" },
  },
  {
    method: "POST",
    route: "/api/wallet/transfer",
    operationId: "transferToken",
    summary: "A direct transfer, run as a durable run under the same policy as a command",
    tag: "wallet",
    auth: "key",
    body: { name: "TransferRequest", schema: transferRequest },
    success: {
      status: 202,
      description: "Run started (or replayed for a repeated Idempotency-Key)",
    },
    rateLimited: true,
  },
  // keys
  {
    method: "GET",
    route: "/api/keys",
    operationId: "listApiKeys",
    summary: "API keys, never their hashes (admin)",
    tag: "keys",
    auth: "admin",
    query: listKeysQuery,
    success: { status: 200, description: "The keys" },
    rateLimited: true,
  },
  {
    method: "POST",
    route: "/api/keys",
    operationId: "createApiKey",
    summary: "Create an API key; the plaintext key is in this response only (admin)",
    tag: "keys",
    auth: "admin",
    body: { name: "CreateApiKeyRequest", schema: createKeyRequest },
    success: { status: 201, description: "The key, with its plaintext secret" },
    rateLimited: true,
  },
  {
    method: "DELETE",
    route: "/api/keys/[id]",
    operationId: "revokeApiKey",
    summary: "Revoke an API key, idempotently (admin)",
    tag: "keys",
    auth: "admin",
    // The handler validates the params object as a whole; its id property is the one parameter.
    params: { id: (keyParams as z.ZodObject<{ id: z.ZodType }>).shape.id },
    success: { status: 200, description: "Revoked" },
    rateLimited: true,
    responses: { 409: "Refusing to revoke the key making the request" },
  },
  // webhooks, cron
  {
    method: "POST",
    route: "/api/webhooks/chain",
    operationId: "receiveChainWebhook",
    summary: "A notifier reports news about a transaction; triggers our own receipt check",
    tag: "webhooks",
    auth: "webhook",
    body: { name: "ChainWebhookEvent", schema: chainEvent },
    success: { status: 200, description: "Processed (duplicates are acknowledged)" },
  },
  {
    method: "POST",
    route: "/api/webhooks/payment",
    operationId: "receivePaymentWebhook",
    summary: "A facilitator that settles later reports the outcome",
    tag: "webhooks",
    auth: "webhook",
    body: { name: "PaymentWebhookEvent", schema: paymentEvent },
    success: { status: 200, description: "Processed (duplicates are acknowledged)" },
  },
  {
    method: "GET",
    route: "/api/cron/chain",
    operationId: "runChainCron",
    summary: "Vercel Cron: check submitted transactions and resume the runs waiting on them",
    tag: "operations",
    auth: "cron",
    success: { status: 200, description: "What the checks did" },
  },
  // public
  {
    method: "GET",
    route: "/api/health",
    operationId: "getHealth",
    summary: "Database, cache, workflow world and chain health",
    tag: "operations",
    auth: "public",
    success: { status: 200, description: "Everything answers" },
    responses: { 503: "A dependency does not answer" },
  },
  {
    method: "GET",
    route: "/api/openapi.json",
    operationId: "getOpenApiDocument",
    summary: "This document",
    tag: "operations",
    auth: "public",
    success: { status: 200, description: "The OpenAPI 3.1 document" },
  },
  {
    method: "GET",
    route: "/api/demo/market-data",
    operationId: "getDemoMarketData",
    summary: "Demo paid API: CRO/USDC pool price for 0.10 USDC",
    tag: "demo",
    auth: "x402",
    success: {
      status: 200,
      description: "Pool price and reserves; PAYMENT-RESPONSE header carries the settlement",
    },
  },
  {
    method: "GET",
    route: "/api/demo/chain-stats",
    operationId: "getDemoChainStats",
    summary: "Demo paid API: latest block and gas price for 0.05 USDC",
    tag: "demo",
    auth: "x402",
    success: {
      status: 200,
      description: "Block and gas figures; PAYMENT-RESPONSE header carries the settlement",
    },
  },
  {
    method: "GET",
    route: "/api/facilitator/[action]",
    operationId: "getFacilitatorSupported",
    summary: "Devnet x402 facilitator: supported schemes and networks (devnet only)",
    tag: "facilitator",
    auth: "public",
    params: { action: facilitatorReadAction },
    success: { status: 200, description: "Supported kinds" },
  },
  {
    method: "POST",
    route: "/api/facilitator/[action]",
    operationId: "callFacilitator",
    summary: "Devnet x402 facilitator: verify or settle a payment (devnet only)",
    tag: "facilitator",
    auth: "public",
    params: { action: facilitatorWriteAction },
    body: { name: "FacilitatorRequest", schema: facilitatorRequest },
    success: {
      status: 200,
      description: "Verification or settlement result (refusals are 400 with a reason)",
    },
  },
];
