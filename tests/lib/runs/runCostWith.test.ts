import { describe, expect, test } from "vitest";
import type { CostItem } from "../../../lib/runs/cost.js";
import { runCostWith } from "../../../lib/runs/runState.js";

const hash = `0x${"ab".repeat(32)}`;
const paid: CostItem = {
  kind: "x402",
  unit: "USDC",
  amount: "100000",
  detail: "https://api.example/quote (payment pay_01abc)",
};
const gas: CostItem = {
  kind: "gas",
  unit: "CRO",
  amount: "105000000000000",
  detail: `gas ${hash}`,
};

describe("runCostWith", () => {
  test("behavior: an item naming its payment or transaction is counted once, whoever adds it first", () => {
    // A late booking added the payment and a mined transaction's gas; the step's outcome carries both.
    const booked = runCostWith({ cost: null }, [paid, gas]);
    const again = runCostWith({ cost: booked as never }, [paid, gas]);
    expect(again.items).toEqual([paid, gas]);
    expect(again.totals).toEqual({ USDC: "100000", CRO: "105000000000000" });
    // Twice in one batch is once as well.
    expect(runCostWith({ cost: null }, [paid, paid]).items).toEqual([paid]);
  });

  test("behavior: items without such a name add up as before (two transfers' gas, two model calls)", () => {
    const stepGas: CostItem = { kind: "gas", unit: "CRO", amount: "5" };
    const model: CostItem = {
      kind: "model",
      unit: "tokens",
      amount: "10",
      detail: "m: 5 input + 5 output tokens",
    };
    const cost = runCostWith({ cost: null }, [stepGas, stepGas, model, model]);
    expect(cost.items).toHaveLength(4);
    expect(cost.totals).toEqual({ CRO: "10", model_tokens: "20" });
  });
});
