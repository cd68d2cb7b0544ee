import { describe, expect, test } from "vitest";
import { newId } from "../../../lib/ids.js";
import { PolicyDocument } from "../../../lib/policy/schemas.js";

/** The counterparty entry as the policy schema reads it, or the first issue's message. */
function counterparty(value: string): string {
  const parsed = PolicyDocument.safeParse({
    allowedActions: ["pay"],
    counterparties: { deny: [value] },
  });
  return parsed.success
    ? parsed.data.counterparties!.deny![0]!
    : `invalid: ${parsed.error.issues[0]!.message}`;
}

describe("policy counterparties: service ids", () => {
  test("behavior: every shape of service id the system produces can be named", () => {
    for (const id of [
      // lib/registry/seed.ts (the demo services)
      "svc_demo_market_data",
      "svc_demo_chain_stats",
      // createService: newId("svc")
      newId("svc"),
      // ids stored by earlier releases: svc_<20 hex>
      "svc_0123456789abcdef0123",
      // seedCuratedServices: svc_<network>_<slug of the name, up to 40 chars>
      "svc_cronos_testnet_seed_fixture_a",
      `svc_cronos_testnet_${"a_".repeat(19)}b`,
      // importBazaarResources: svc_bz_<20 hex>
      "svc_bz_0123456789abcdef0123",
      // the registry's own id limit: 100 characters
      `svc_${"a".repeat(96)}`,
    ]) {
      expect(counterparty(id), id).toBe(id);
    }
    // Compared case-insensitively, like addresses and hosts.
    expect(counterparty("svc_Demo_Market_Data")).toBe("svc_demo_market_data");
  });

  test("behavior: anything else after svc_ is refused", () => {
    for (const value of [
      "svc_",
      "svc__demo",
      "svc_demo_",
      "svc_demo market",
      "svc_demo-market/data",
      "svc_demo;drop",
      "svc_dëmo",
      `svc_${"a".repeat(97)}`,
    ]) {
      expect(counterparty(value), value).toMatch(/^invalid: must be an address/);
    }
  });

  test("behavior: addresses and hosts read as before", () => {
    expect(counterparty("0x90F79bf6EB2c4f870365E785982E1f101E93b906")).toBe(
      "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
    );
    expect(counterparty("API.Example.com:8443")).toBe("api.example.com:8443");
    expect(counterparty("api_example.com")).toMatch(/^invalid/);
  });
});
