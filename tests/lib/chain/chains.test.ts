import { cronos as viemCronos, cronosTestnet as viemCronosTestnet } from "viem/chains";
import { describe, expect, it } from "vitest";
import { chainFor, cronos, cronosTestnet } from "../../../lib/chain/chains.js";

/** lib/chain/chains.ts writes Cronos out instead of importing viem's barrel of every chain. */
/** A chain's data without the functions defineChain adds (a new closure per call). */
const data = (chain: object): unknown => JSON.parse(JSON.stringify(chain));

describe("chains", () => {
  it("behavior: Cronos and its testnet are viem's definitions, field for field", () => {
    expect(data(cronos)).toEqual(data(viemCronos));
    expect(data(cronosTestnet)).toEqual(data(viemCronosTestnet));
  });

  it("behavior: an RPC URL replaces only the chain's default RPC", () => {
    const chain = chainFor("cronos", "https://rpc.example/cronos");
    expect(chain.rpcUrls.default.http).toEqual(["https://rpc.example/cronos"]);
    expect(data({ ...chain, rpcUrls: viemCronos.rpcUrls })).toEqual(data(viemCronos));
    expect(chainFor("cronos-testnet")).toBe(cronosTestnet);
  });
});
