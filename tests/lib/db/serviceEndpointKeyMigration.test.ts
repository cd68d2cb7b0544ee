import { sql } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDb, type DbHandle } from "../../../lib/db/index.js";
import { migrateToLatest } from "../../../lib/db/migrate.js";
import * as serviceEndpointKey from "../../../lib/db/migrations/2026_12_03_0110_service_endpoint_key.js";
import * as endpointKeySlashes from "../../../lib/db/migrations/2026_12_03_0130_endpoint_key_slashes.js";
import { createScratchDatabase } from "../../helpers/db.js";

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

test("behavior: migration 0110 backfills services.endpoint_key, requires it and indexes it", async () => {
  await migrateToLatest(handle.db);
  // Back to the schema before 0110, with rows an earlier release stored.
  await serviceEndpointKey.down(handle.db);
  await sql`insert into services
    (id, name, category, endpoint, pricing_model, price_amount, price_asset, price_network) values
    ('svc_demo_market_data', 'Market Data API', 'market-data',
     'http://localhost:3000/api/demo/market-data', 'pay-per-call', 100000, '0xa', 'eip155:31337'),
    ('svc_0123456789abcdef0123', 'Quotes', 'market-data',
     'HTTPS://Quotes.Example.com:443/v1/quote/?plan=pro', 'pay-per-call', 1, '0xa', 'eip155:25')
  `.execute(handle.db);
  await serviceEndpointKey.up(handle.db);

  const rows = await sql<{ id: string; endpoint_key: string }>`
    select id, endpoint_key from services order by id`.execute(handle.db);
  expect(rows.rows).toEqual([
    { id: "svc_0123456789abcdef0123", endpoint_key: "https://quotes.example.com/v1/quote" },
    { id: "svc_demo_market_data", endpoint_key: "http://localhost:3000/api/demo/market-data" },
  ]);
  const index = await sql<{ indexdef: string }>`
    select indexdef from pg_indexes where indexname = 'services_endpoint_key_idx'`.execute(
    handle.db,
  );
  expect(index.rows[0]?.indexdef).toMatch(/\(endpoint_key\)/);
  await expect(
    sql`insert into services
      (id, name, category, endpoint, pricing_model, price_amount, price_asset, price_network)
      values ('svc_x', 'X', 'c', 'http://x.example', 'pay-per-call', 1, '0xa', 'eip155:25')`.execute(
      handle.db,
    ),
  ).rejects.toThrow(/endpoint_key/);
});

test("behavior: migration 0130 recomputes keys stored before runs of slashes were folded", async () => {
  await migrateToLatest(handle.db);
  // A row as a release before 0130 keyed it: the doubled slashes kept.
  await sql`insert into services
    (id, name, category, endpoint, endpoint_key, pricing_model, price_amount, price_asset, price_network)
    values ('svc_slashes', 'Slashes', 'market-data', 'https://h.example//v1//quote',
      'https://h.example//v1//quote', 'pay-per-call', 1, '0xa', 'eip155:25')`.execute(handle.db);
  await endpointKeySlashes.up(handle.db);
  const rows = await sql<{ endpoint_key: string }>`
    select endpoint_key from services where id = 'svc_slashes'`.execute(handle.db);
  expect(rows.rows).toEqual([{ endpoint_key: "https://h.example/v1/quote" }]);
});
