import { type Endpoint, endpoint } from "../lib/http/index.js";
import { openApiDocumentResponse } from "../lib/http/operationResponses.js";
import { buildOpenApiDocument, type OpenApiDocument } from "../lib/openapi/index.js";
import * as executeCommand from "./agent/execute.js";
import * as sessionSummary from "./agent/sessions/[id]/summary.js";
import * as session from "./agent/sessions/[id].js";
import * as sessions from "./agent/sessions/index.js";
import * as approval from "./approvals/[token].js";
import * as approvals from "./approvals/index.js";
import * as chainCron from "./cron/chain.js";
import * as chainStats from "./demo/chain-stats.js";
import * as marketData from "./demo/market-data.js";
import * as demoMcp from "./demo/mcp.js";
import * as deskApprovals from "./desk/approvals.js";
import * as deskMe from "./desk/me.js";
import * as deskSpend from "./desk/spend.js";
import * as facilitator from "./facilitator/[action].js";
import * as facilitatorDiscovery from "./facilitator/discovery/resources.js";
import * as health from "./health.js";
import * as freezeKey from "./keys/[id]/freeze.js";
import * as unfreezeKey from "./keys/[id]/unfreeze.js";
import * as apiKey from "./keys/[id].js";
import * as apiKeys from "./keys/index.js";
import * as log from "./logs/[id].js";
import * as logs from "./logs/index.js";
import * as market from "./markets/[id].js";
import * as markets from "./markets/index.js";
import * as mcp from "./mcp.js";
import * as notificationDeliveries from "./notifications/deliveries.js";
import * as notificationEndpoints from "./notifications/endpoints.js";
import * as protectedResource from "./oauth-protected-resource.js";
import * as payment from "./payments/[id].js";
import * as payments from "./payments/index.js";
import * as quote from "./payments/quote.js";
import * as paymentStats from "./payments/stats.js";
import * as payX402 from "./payments/x402.js";
import * as policy from "./policies/[id].js";
import * as policies from "./policies/index.js";
import * as cancelRun from "./runs/[id]/cancel.js";
import * as runEvents from "./runs/[id]/events.js";
import * as run from "./runs/[id].js";
import * as runs from "./runs/index.js";
import * as servicePricing from "./services/[id]/pricing.js";
import * as service from "./services/[id].js";
import * as discoverServices from "./services/discover.js";
import * as importServices from "./services/import.js";
import * as services from "./services/index.js";
import * as subscription from "./subscriptions/[id].js";
import * as subscriptions from "./subscriptions/index.js";
import * as allowance from "./wallet/allowance.js";
import * as balance from "./wallet/balance.js";
import * as freezeWallet from "./wallet/freeze.js";
import * as positions from "./wallet/positions.js";
import * as walletTransactions from "./wallet/transactions.js";
import * as transfer from "./wallet/transfer.js";
import * as unfreezeWallet from "./wallet/unfreeze.js";
import * as chainWebhook from "./webhooks/chain.js";
import * as paymentWebhook from "./webhooks/payment.js";

/**
 * Every api/ module but this one. tests/api/openapi.test.ts checks the list against the files on
 * disk, so a new route that is not added here fails the build instead of going undocumented.
 */
const modules: Record<string, unknown>[] = [
  executeCommand,
  sessions,
  session,
  runs,
  run,
  cancelRun,
  runEvents,
  approvals,
  approval,
  payments,
  payment,
  paymentStats,
  payX402,
  services,
  discoverServices,
  service,
  servicePricing,
  subscriptions,
  subscription,
  allowance,
  balance,
  walletTransactions,
  transfer,
  markets,
  market,
  positions,
  apiKeys,
  apiKey,
  // Policy engine and roles (issue 13).
  freezeKey,
  unfreezeKey,
  freezeWallet,
  unfreezeWallet,
  policies,
  policy,
  notificationEndpoints,
  notificationDeliveries,
  chainWebhook,
  paymentWebhook,
  chainCron,
  health,
  marketData,
  chainStats,
  facilitator,
  // The desk's read models (public/).
  deskMe,
  deskApprovals,
  deskSpend,
  // Agent interfaces (issue 15).
  mcp,
  protectedResource,
  demoMcp,
  quote,
  facilitatorDiscovery,
  logs,
  log,
  sessionSummary,
  importServices,
];

/** The endpoints (handlers with their declarations) every api/ file exports, this one included. */
export function apiEndpoints(): Endpoint[] {
  const found: Endpoint[] = [];
  for (const module of [...modules, { GET }]) {
    for (const value of Object.values(module)) {
      if (typeof value === "function" && "declaration" in value) found.push(value as Endpoint);
    }
  }
  return found;
}

let document: OpenApiDocument | undefined;

/** GET /api/openapi.json — public; the OpenAPI 3.1 description of this API, built from its declarations. */
export const GET: Endpoint = endpoint(
  {
    route: "/api/openapi.json",
    method: "GET",
    operationId: "getOpenApiDocument",
    summary: "This document",
    tags: ["operations"],
    auth: false,
    success: {
      status: 200,
      description: "The OpenAPI 3.1 document",
      schema: openApiDocumentResponse,
      headers: { "cache-control": "public, max-age=300" },
    },
  },
  () => {
    document ??= buildOpenApiDocument({
      endpoints: apiEndpoints().map((handler) => handler.declaration),
    });
    return document;
  },
);
