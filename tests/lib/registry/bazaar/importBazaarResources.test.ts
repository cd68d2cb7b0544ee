import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { listBazaarResources } from "../../../../lib/registry/bazaar/listBazaarResources.js";
import { callTool, connectMcp, createKey } from "../../../helpers/mcp.js";
import { useHostProcess } from "../../../helpers/useHostProcess.js";

const host = useHostProcess({ database: "postgres" });
let database: pg.Client;
const root = path.resolve(import.meta.dirname, "../../../..");

beforeAll(async () => {
  database = new pg.Client({ connectionString: host.env.DATABASE_URL });
  await database.connect();
}, 240_000);

afterAll(async () => {
  await database?.end();
});

/** `npm run registry:import -- --facilitator <url>` against the host's database, as an operator runs it. */
function runImport(facilitator: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "dev/importRegistry.ts", "--facilitator", facilitator],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/root",
          DATABASE_URL: host.env.DATABASE_URL!,
          PAYGENT_NETWORK: "devnet",
          LOG_LEVEL: "silent",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stdout += chunk;
    });
    child.on("exit", (code) => resolve({ code, stdout }));
  });
}

/** A catalogue entry as a (hostile) resource server could have declared it to the facilitator. */
async function catalogue(resource: string, entry: Record<string, unknown>): Promise<void> {
  await database.query("insert into facilitator_catalogue (resource, entry) values ($1, $2)", [
    resource,
    JSON.stringify({ resource, x402Version: 2, lastUpdated: new Date().toISOString(), ...entry }),
  ]);
}

describe("importBazaarResources", () => {
  test("behavior: imports the devnet facilitator's catalogue end to end and refuses the malformed entries", async () => {
    const facilitator = `${host.url}/api/facilitator`;
    const { rows: services } = await database.query(
      "select price_asset, price_network from services where id = 'svc_demo_market_data'",
    );
    const accept = {
      scheme: "exact",
      network: services[0].price_network,
      amount: "1000",
      asset: services[0].price_asset,
      payTo: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      maxTimeoutSeconds: 60,
    };
    // Cloud metadata behind a friendly name: refused by the SSRF guard even on the devnet.
    await catalogue("http://169.254.169.254/latest/meta-data/", {
      type: "http",
      accepts: [accept],
      serviceName: "Totally Safe",
    });
    // A fractional "base unit" amount: refused by validation.
    await catalogue("https://api.example.com/weather", {
      type: "http",
      accepts: [{ ...accept, amount: "1.5" }],
    });
    // An MCP entry that does not name its tool.
    await catalogue(`${host.url}/api/demo/mcp#`, {
      type: "mcp",
      accepts: [accept],
      extensions: {},
    });
    // Acceptable, but with dirty metadata: tags and text are cleaned, the bad icon dropped.
    await catalogue(`${host.url}/api/demo/chain-stats?variant=dirty`, {
      type: "http",
      accepts: [accept],
      description: "Stats\u0007 with a bell and \u202Ereversed\u202C text",
      serviceName: "bad\nname",
      tags: ["ok-tag", "x".repeat(40), "caf\u00e9", 42, "chain"],
      iconUrl: "http://127.0.0.1/icon.png",
    });

    // The listing itself, paged by offset with the bazaar client.
    const listed = await listBazaarResources({ facilitatorUrl: facilitator, pageSize: 3 });
    expect(listed).toHaveLength(8);

    const first = await runImport(facilitator);
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toContain("4 imported, 3 refused");
    expect(first.stdout).toMatch(
      /refused {2}#\d+ http:\/\/169\.254\.169\.254.*private, local or reserved/,
    );
    expect(first.stdout).toMatch(
      /refused {2}#\d+ https:\/\/api\.example\.com\/weather: accepts\.0\.amount/,
    );
    expect(first.stdout).toMatch(/refused {2}#\d+ .*mcp entry without a valid toolName/);

    const { rows } = await database.query(
      "select id, name, endpoint, description, mcp_compatible, tools, tags, price_amount, source, imported_from from services where source = 'bazaar' order by endpoint",
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.imported_from === facilitator)).toBe(true);
    const mcp = rows.find((row) => row.endpoint === `${host.url}/api/demo/mcp`);
    expect(mcp).toMatchObject({ mcp_compatible: true, price_amount: "20000" });
    expect(
      (mcp.tools as { name: string; price: { amount: string } }[]).map((t) => [
        t.name,
        t.price.amount,
      ]),
    ).toEqual([
      ["market_price", "100000"],
      ["gas_price", "20000"],
    ]);
    const dirty = rows.find((row) => row.endpoint.endsWith("variant=dirty"));
    expect(dirty.tags).toEqual(["ok-tag", "chain"]);
    expect(dirty.description).toBe("Stats  with a bell and  reversed  text");
    expect(dirty.name).not.toContain("\n");

    // A re-import, through the admin endpoint this time, updates in place; agents may not import.
    const again = await host.request("POST", "/api/services/import", {
      facilitatorUrl: facilitator,
    });
    expect(again.status).toBe(200);
    expect([again.body.imported.length, again.body.refused.length]).toEqual([4, 3]);
    const agentKey = await createKey(host, "agent");
    const forbidden = await host.request(
      "POST",
      "/api/services/import",
      { facilitatorUrl: facilitator },
      { authorization: `Bearer ${agentKey}` },
    );
    expect(forbidden.status).toBe(403);
    // A URL that answers but is no facilitator is the caller's mistake, not an outage.
    const notFacilitator = await host.request("POST", "/api/services/import", {
      facilitatorUrl: `${host.url}/api/health`,
    });
    expect(notFacilitator.status, JSON.stringify(notFacilitator.body)).toBe(422);
    expect(notFacilitator.body.error.message).toMatch(
      /is not an x402 facilitator with a Bazaar discovery list: \/discovery\/resources answered 404/,
    );
    const { rows: after } = await database.query(
      "select count(*)::int as n from services where source = 'bazaar'",
    );
    expect(after[0].n).toBe(4);

    // Agents find the imported paid MCP server, with its per-tool prices, through discovery.
    const client = await connectMcp(host, host.apiKey);
    const found = await callTool(client, "discover_services", {
      mcp: true,
      query: "Demo Paid Tools",
    });
    const service = found.structuredContent.services[0];
    expect(service).toMatchObject({
      source: "bazaar",
      tools: [{ name: "market_price" }, { name: "gas_price" }],
    });

    // ...and pay one of its tools through a run; the payment is booked against the service.
    const started = await callTool(client, "pay_x402", {
      url: service.endpoint,
      tool: { name: "gas_price", arguments: {} },
      maxAmount: { amount: "0.05", token: "USDC" },
    });
    let run = await callTool(client, "get_run", {
      runId: started.structuredContent.runId,
      waitSeconds: 25,
    });
    for (let i = 0; i < 4 && run.structuredContent.status === "running"; i++) {
      run = await callTool(client, "get_run", { runId: run.structuredContent.id, waitSeconds: 25 });
    }
    await client.close();
    expect(run.structuredContent.status).toBe("completed");
    const { rows: paid } = await database.query(
      "select service_id, amount, status from payments where run_id = $1",
      [run.structuredContent.id],
    );
    expect(paid).toEqual([{ service_id: service.id, amount: "20000", status: "settled" }]);
  });
});
