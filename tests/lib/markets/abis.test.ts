import { createRequire } from "node:module";
import type { Abi, AbiEvent, AbiFunction } from "viem";
import { describe, expect, test } from "vitest";
import { conditionalTokensAbi, fpmmAbi, fpmmFactoryAbi } from "../../../lib/markets/abis.js";

const require = createRequire(import.meta.url);
const artifact = (name: string) =>
  (require(`../../../contracts/vendor/gnosis/${name}.json`) as { abi: Abi }).abi;

/** A fragment's shape without parameter names: what decoding and encoding depend on. */
function shape(item: AbiFunction | AbiEvent): string {
  if (item.type === "event") {
    return `event ${item.name}(${item.inputs.map((input) => `${input.type}${input.indexed ? " indexed" : ""}`).join(",")})`;
  }
  const mutability = item.stateMutability === "nonpayable" ? "" : ` ${item.stateMutability}`;
  return `function ${item.name}(${item.inputs.map((input) => input.type).join(",")})${mutability} returns (${item.outputs.map((output) => output.type).join(",")})`;
}

const shapes = (abi: Abi) =>
  new Set(
    abi
      .filter(
        (item): item is AbiFunction | AbiEvent => item.type === "function" || item.type === "event",
      )
      .map(shape),
  );

describe("market ABIs", () => {
  test.each([
    ["ConditionalTokens", conditionalTokensAbi, "ConditionalTokens"],
    ["FixedProductMarketMaker", fpmmAbi, "FixedProductMarketMaker"],
    ["FixedProductMarketMakerFactory", fpmmFactoryAbi, "FixedProductMarketMakerFactory"],
  ] as const)(
    "behavior: every %s fragment Paygent calls matches the compiled contract",
    (_, ours, path) => {
      const compiled = shapes(artifact(path));
      const missing = [...shapes(ours as Abi)].filter((fragment) => !compiled.has(fragment));
      expect(missing).toEqual([]);
    },
  );
});
