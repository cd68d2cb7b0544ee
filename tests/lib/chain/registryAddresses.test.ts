import { isAddress } from "viem";
import { describe, expect, it } from "vitest";
import { getNetwork } from "../../../lib/chain/registry.js";
import { networkNames } from "../../../lib/config.js";

/**
 * Every address the registry ships is a valid EIP-55 address: viem refuses a mixed-case address
 * whose checksum is wrong when it encodes one (a swap path through WCRO on Cronos mainnet did).
 */
describe("the chain registry's addresses", () => {
  it("are all valid, checksummed or not mixed-case", () => {
    for (const name of networkNames) {
      if (name === "devnet") continue; // deployed per run: its addresses come from the deploy
      const found: string[] = [];
      JSON.stringify(getNetwork(name), (_key, value: unknown) => {
        if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) found.push(value);
        return value;
      });
      expect(found.length, name).toBeGreaterThan(0);
      for (const address of found) expect(isAddress(address), `${name}: ${address}`).toBe(true);
    }
  });
});
