import type { Kysely } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import { BaseError } from "../errors/index.js";
import * as initial from "./migrations/2026_11_25_0001_initial.js";
import * as runWorkflowId from "./migrations/2026_11_25_0002_run_workflow_id.js";
import * as paymentAuthorization from "./migrations/2026_11_25_0004_payment_authorization.js";
import * as chainTransactionPayload from "./migrations/2026_11_25_0006_chain_transaction_payload.js";
import * as paymentResponse from "./migrations/2026_11_25_0007_payment_response.js";
import * as oneLiveTransactionPerStep from "./migrations/2026_11_25_0008_one_live_transaction_per_step.js";
// Policy engine and roles (issue 13).
import * as policies from "./migrations/2026_11_30_0020_policies.js";
import * as keyRoles from "./migrations/2026_11_30_0021_key_roles.js";
import * as policyLedger from "./migrations/2026_11_30_0022_policy_ledger.js";
import * as approvalQuorum from "./migrations/2026_11_30_0023_approval_quorum.js";
import * as notifications from "./migrations/2026_11_30_0024_notifications.js";
import * as freezes from "./migrations/2026_11_30_0025_freezes.js";
// hostile (issue 14)
import * as paymentExposure from "./migrations/2026_11_30_0030_payment_exposure.js";
// mcp (issue 15)
import * as agentInterfaces from "./migrations/2026_11_30_0080_agent_interfaces.js";
// api-b (issue 20)
import * as idempotencyKeys from "./migrations/2026_11_30_0095_idempotency_keys.js";
import * as keyControlsVersion from "./migrations/2026_12_01_0100_key_controls_version.js";
import * as serviceEndpointKey from "./migrations/2026_12_03_0110_service_endpoint_key.js";
import * as priceMarks from "./migrations/2026_12_03_0120_price_marks.js";
import * as endpointKeySlashes from "./migrations/2026_12_03_0130_endpoint_key_slashes.js";
import * as poolObservations from "./migrations/2026_12_03_0140_pool_observations.js";
import * as subscriptionPrice from "./migrations/2026_12_04_0150_subscription_price.js";
import * as subscriptionClaims from "./migrations/2026_12_05_0160_subscription_claims.js";

/** Migrations are imported statically so bundlers (Vercel, workflow build) include them. */
const migrations: Record<string, Migration> = {
  "2026_11_25_0001_initial": initial,
  "2026_11_25_0002_run_workflow_id": runWorkflowId,
  "2026_11_25_0004_payment_authorization": paymentAuthorization,
  "2026_11_25_0006_chain_transaction_payload": chainTransactionPayload,
  "2026_11_25_0007_payment_response": paymentResponse,
  "2026_11_25_0008_one_live_transaction_per_step": oneLiveTransactionPerStep,
  // Policy engine and roles (issue 13).
  "2026_11_30_0020_policies": policies,
  "2026_11_30_0021_key_roles": keyRoles,
  "2026_11_30_0022_policy_ledger": policyLedger,
  "2026_11_30_0023_approval_quorum": approvalQuorum,
  "2026_11_30_0024_notifications": notifications,
  "2026_11_30_0025_freezes": freezes,
  // hostile (issue 14)
  "2026_11_30_0030_payment_exposure": paymentExposure,
  // mcp (issue 15)
  "2026_11_30_0080_agent_interfaces": agentInterfaces,
  // api-b (issue 20)
  "2026_11_30_0095_idempotency_keys": idempotencyKeys,
  // run throughput (issue 17): accepts on cached key controls, checked at the run's insert
  "2026_12_01_0100_key_controls_version": keyControlsVersion,
  // a URL finds its service however it is spelled (policy deny lists on service ids)
  "2026_12_03_0110_service_endpoint_key": serviceEndpointKey,
  // a pool pushed for a moment cannot shrink a spend's USD value (price window of policy checks)
  "2026_12_03_0120_price_marks": priceMarks,
  // runs of slashes in a service's path name the same service
  "2026_12_03_0130_endpoint_key_slashes": endpointKeySlashes,
  // a swap into a pool pushed away from its recent average is refused (the pair's own oracle)
  "2026_12_03_0140_pool_observations": poolObservations,
  // a subscription renews at most at the price it was agreed at
  "2026_12_04_0150_subscription_price": subscriptionPrice,
  // two subscribe steps of one service cannot both pay: the slot is claimed before paying
  "2026_12_05_0160_subscription_claims": subscriptionClaims,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export class MigrationError extends BaseError {
  override name = "MigrationError";
}

/** Brings the schema to the latest migration; safe to call on every start. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new MigrationError("Database migration failed", { cause: error });
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
