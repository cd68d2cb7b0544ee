import { sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type DbHandle } from "../../../lib/db/index.js";
import * as initial from "../../../lib/db/migrations/2026_11_25_0001_initial.js";
import * as runWorkflowId from "../../../lib/db/migrations/2026_11_25_0002_run_workflow_id.js";
import * as paymentAuthorization from "../../../lib/db/migrations/2026_11_25_0004_payment_authorization.js";
import * as chainTransactionPayload from "../../../lib/db/migrations/2026_11_25_0006_chain_transaction_payload.js";
import * as paymentResponse from "../../../lib/db/migrations/2026_11_25_0007_payment_response.js";
import * as oneLiveTransactionPerStep from "../../../lib/db/migrations/2026_11_25_0008_one_live_transaction_per_step.js";
import * as policies from "../../../lib/db/migrations/2026_11_30_0020_policies.js";
import * as keyRoles from "../../../lib/db/migrations/2026_11_30_0021_key_roles.js";
import { createScratchDatabase } from "../../helpers/db.js";

const migrations: Record<string, Migration> = {
  "2026_11_25_0001_initial": initial,
  "2026_11_25_0002_run_workflow_id": runWorkflowId,
  "2026_11_25_0004_payment_authorization": paymentAuthorization,
  "2026_11_25_0006_chain_transaction_payload": chainTransactionPayload,
  "2026_11_25_0007_payment_response": paymentResponse,
  "2026_11_25_0008_one_live_transaction_per_step": oneLiveTransactionPerStep,
  "2026_11_30_0020_policies": policies,
  "2026_11_30_0021_key_roles": keyRoles,
};

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let handle: DbHandle;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  handle = await createDb({ driver: "pg", url: scratch.url });
});

afterAll(async () => {
  await handle?.close();
  await scratch?.drop();
});

test("behavior: migration 0021 turns sessions-scoped keys into agent keys and marks the environment key", async () => {
  const migrator = new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => migrations },
  });
  expect(
    (await migrator.migrateTo("2026_11_25_0008_one_live_transaction_per_step")).error,
  ).toBeUndefined();
  await sql`insert into api_keys (id, name, key_hash, scope) values
    ('key_a', 'app', 'h1', 'sessions'), ('key_b', 'ops', 'h2', 'admin'),
    ('key_env_0123456789abcdef', 'PAYGENT_ADMIN_KEY', 'h3', 'admin')`.execute(handle.db);
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
  const rows = await handle.db
    .selectFrom("api_keys")
    .select(["id", "role", "source", "policy_id"])
    .orderBy("id")
    .execute();
  expect(rows).toEqual([
    { id: "key_a", role: "agent", source: "created", policy_id: null },
    { id: "key_b", role: "admin", source: "created", policy_id: null },
    { id: "key_env_0123456789abcdef", role: "admin", source: "env", policy_id: null },
  ]);
  await expect(
    sql`insert into api_keys (id, name, key_hash, role) values ('key_c', 'x', 'h4', 'sessions')`.execute(
      handle.db,
    ),
  ).rejects.toThrow(/api_keys_role_check/);
  // And back: down restores the scope column.
  expect((await migrator.migrateDown()).error).toBeUndefined();
  const down = await sql<{ scope: string }>`select scope from api_keys order by id`.execute(
    handle.db,
  );
  expect(down.rows.map((r) => r.scope)).toEqual(["sessions", "admin", "admin"]);
});
