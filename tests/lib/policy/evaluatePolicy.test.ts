import { parseEther, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createChainContext } from "../../../lib/chain/clients.js";
import {
  type AnvilInstance,
  DEVNET_CHAIN_ID,
  startAnvil,
} from "../../../lib/chain/devnet/startAnvil.js";
import { resetConfig } from "../../../lib/config.js";
import type { PriceUsd } from "../../../lib/policy/amounts.js";
import { chainPricer } from "../../../lib/policy/chainPricer.js";
import { checkCommandLimits } from "../../../lib/policy/checkCommandLimits.js";
import { PolicyRuleError } from "../../../lib/policy/errors.js";
import { evaluatePolicy } from "../../../lib/policy/evaluatePolicy.js";
import type { ResolvedPolicy } from "../../../lib/policy/resolvePolicy.js";
import { PolicyDocument } from "../../../lib/policy/schemas.js";
import type { PolicyAction } from "../../../lib/policy/types.js";
import { freePort, startTestDevnet, type TestDevnet } from "../../helpers/devnet.js";

/**
 * evaluatePolicy and checkCommandLimits priced by the real chain: the devnet pools put CRO at
 * exactly $0.10 (2,000,000 CRO / 200,000 USDC), USDC at $1. A second anvil without any contract
 * is a chain where nothing but stablecoins can be priced.
 */

let devnet: TestDevnet;
let bare: AnvilInstance;
let price: PriceUsd;
let unpricedChain: PriceUsd;

beforeAll(async () => {
  devnet = await startTestDevnet();
  price = chainPricer(createChainContext({ network: "devnet", rpcUrl: devnet.rpcUrl }), null);
  bare = await startAnvil({ port: await freePort(), chainId: DEVNET_CHAIN_ID, detached: false });
  unpricedChain = chainPricer(createChainContext({ network: "devnet", rpcUrl: bare.rpcUrl }), null);
}, 120_000);

afterAll(async () => {
  await devnet?.stop();
  await bare?.stop();
});

const policy = (document: unknown, version = 3): ResolvedPolicy => ({
  id: "pol_test",
  version,
  name: "test policy",
  document: PolicyDocument.parse(document),
  source: "key",
});
const all = ["balance", "transfer", "swap", "pay", "discover", "subscribe", "unsubscribe"];
const usdc = (amount: string) => ({ token: "USDC", amount: parseUnits(amount, 6) });
const cro = (amount: string) => ({ token: "CRO", amount: parseEther(amount) });
const PAYEE = "0x1111111111111111111111111111111111111111";
const transfer = (spend: PolicyAction["spend"], to = PAYEE): PolicyAction => ({
  type: "transfer",
  network: "devnet",
  spend,
  counterparty: { address: to },
});

describe("evaluatePolicy", () => {
  test("behavior: deny by default — actions, networks and tokens a policy does not name are refused", async () => {
    const p = policy({ allowedActions: ["pay"], tokens: ["USDC"], networks: ["cronos"] });
    expect(await evaluatePolicy({ policy: p, action: transfer(usdc("1")), price })).toMatchObject({
      outcome: "refuse",
      rule: "allowedActions",
      message: "refused: transfer is not among the policy's allowed actions (pay)",
      policyId: "pol_test",
      policyVersion: 3,
    });
    const pay: PolicyAction = { type: "pay", network: "devnet", spend: usdc("1") };
    expect(await evaluatePolicy({ policy: p, action: pay, price })).toMatchObject({
      outcome: "refuse",
      rule: "networks",
    });
    const devnetOnly = policy({ allowedActions: ["pay"], tokens: ["USDC"] });
    expect(
      await evaluatePolicy({ policy: devnetOnly, action: { ...pay, spend: cro("1") }, price }),
    ).toMatchObject({
      outcome: "refuse",
      rule: "tokens",
      message: "refused: CRO is not among the policy's tokens (USDC)",
    });
    expect(
      await evaluatePolicy({
        policy: devnetOnly,
        action: { ...pay, spend: { token: "DOGE", amount: 1n } },
        price,
      }),
    ).toMatchObject({ outcome: "refuse", rule: "tokens" });
    expect(await evaluatePolicy({ policy: devnetOnly, action: pay, price })).toMatchObject({
      outcome: "allow",
      rule: "allowed",
      usdMicros: 1_000_000n,
    });
    expect(
      await evaluatePolicy({
        policy: policy({ allowedActions: [] }),
        action: { type: "balance", network: "devnet" },
        price,
      }),
    ).toMatchObject({ outcome: "refuse", rule: "allowedActions" });
  });

  test("behavior: counterparties — deny wins, an allow list must match an address, host or service id", async () => {
    const p = policy({
      allowedActions: all,
      counterparties: {
        allow: ["api.example.com", "svc_abc", PAYEE],
        deny: ["0x2222222222222222222222222222222222222222", "evil.example"],
      },
    });
    const pay = (counterparty: PolicyAction["counterparty"]): PolicyAction => ({
      type: "pay",
      network: "devnet",
      spend: usdc("0.1"),
      counterparty,
    });
    expect(
      (await evaluatePolicy({ policy: p, action: pay({ host: "API.example.com" }), price }))
        .outcome,
    ).toBe("allow");
    expect(
      (
        await evaluatePolicy({
          policy: p,
          action: pay({ serviceId: "svc_abc", host: "x.example" }),
          price,
        })
      ).outcome,
    ).toBe("allow");
    // A fully qualified spelling of a denied host ("evil.example.", with or without a port) is
    // the same host.
    for (const host of ["evil.example.", "EVIL.example.:8443"])
      expect(
        (await evaluatePolicy({ policy: p, action: pay({ host }), price })).outcome,
        host,
      ).toBe("refuse");
    expect(
      await evaluatePolicy({
        policy: p,
        action: pay({ serviceId: "svc_abc", host: "evil.example" }),
        price,
      }),
    ).toMatchObject({
      outcome: "refuse",
      rule: "counterparties.deny",
      message: "refused: evil.example is on the policy's deny list",
    });
    expect(
      await evaluatePolicy({ policy: p, action: pay({ host: "other.example" }), price }),
    ).toMatchObject({ outcome: "refuse", rule: "counterparties.allow" });
    expect(await evaluatePolicy({ policy: p, action: pay(undefined), price })).toMatchObject({
      outcome: "refuse",
      rule: "counterparties.allow",
    });
    expect(
      (
        await evaluatePolicy({
          policy: p,
          action: transfer(usdc("1"), PAYEE.toUpperCase().replace("0X", "0x")),
          price,
        })
      ).outcome,
    ).toBe("allow");
    // A swap pays nobody: payee rules do not apply to it.
    expect(
      (
        await evaluatePolicy({
          policy: p,
          action: { type: "swap", network: "devnet", spend: cro("10") },
          price,
        })
      ).outcome,
    ).toBe("allow");
  });

  test("behavior: every limit applies in every unit — a USDC maxPerAction bounds a CRO transfer through its pool price", async () => {
    const p = policy({ allowedActions: all, maxPerAction: { amount: "2", token: "USDC" } });
    expect(await evaluatePolicy({ policy: p, action: transfer(cro("500")), price })).toMatchObject({
      outcome: "refuse",
      rule: "maxPerAction",
      message: "refused: 500 CRO (50 USD) is above the policy's maxPerAction of 2 USDC",
      usdMicros: 50_000_000n,
    });
    expect(await evaluatePolicy({ policy: p, action: transfer(cro("20")), price })).toMatchObject({
      outcome: "allow",
    });
    expect(
      await evaluatePolicy({ policy: p, action: transfer(cro("20.000001")), price }),
    ).toMatchObject({ outcome: "refuse", rule: "maxPerAction" });
    const inUsd = policy({ allowedActions: all, maxPerAction: { amount: "100", token: "USD" } });
    expect(
      (await evaluatePolicy({ policy: inUsd, action: transfer(cro("1000")), price })).outcome,
    ).toBe("allow");
    expect(
      (await evaluatePolicy({ policy: inUsd, action: transfer(usdc("100.000001")), price }))
        .outcome,
    ).toBe("refuse");
  });

  test("behavior: holds name the rule and the quorum; granted approvals release the hold", async () => {
    const p = policy({
      allowedActions: all,
      approvalThresholdUsd: "10",
      approvals: { required: 2 },
      approvalExpirySeconds: 600,
    });
    const held = await evaluatePolicy({ policy: p, action: transfer(usdc("30")), price });
    expect(held).toMatchObject({
      outcome: "hold",
      rule: "approvals.required",
      message: "held: 30 USDC is above the 10 USD threshold; needs 2 approvals",
      requiredApprovals: 2,
      approvers: "assigned",
      expiresInSeconds: 600,
    });
    expect(
      await evaluatePolicy({ policy: p, action: transfer(usdc("30")), price, approvalsGranted: 1 }),
    ).toMatchObject({
      outcome: "hold",
      message: "held: 30 USDC is above the 10 USD threshold; needs 2 approvals (1 given)",
    });
    expect(
      await evaluatePolicy({ policy: p, action: transfer(usdc("30")), price, approvalsGranted: 2 }),
    ).toMatchObject({
      outcome: "allow",
      rule: "approvals.required",
      message: "allowed: 30 USDC has 2 of 2 approvals",
    });
    expect((await evaluatePolicy({ policy: p, action: transfer(usdc("10")), price })).outcome).toBe(
      "allow",
    );
    // Approvals an unassigned approver cast (the planner's approval was open to any) do not count
    // toward a hold whose policy takes assigned approvers only.
    expect(
      await evaluatePolicy({
        policy: p,
        action: transfer(usdc("30")),
        price,
        approvalsGranted: 2,
        assignedApprovalsGranted: 1,
      }),
    ).toMatchObject({ outcome: "hold", message: expect.stringContaining("(1 given)") });
    const tiered = policy({
      allowedActions: all,
      approvalThresholdUsd: "10",
      approvals: { required: 3, aboveUsd: "100", approvers: "any" },
    });
    expect(
      await evaluatePolicy({ policy: tiered, action: transfer(cro("300")), price }),
    ).toMatchObject({
      outcome: "hold",
      rule: "approvalThresholdUsd",
      message: "held: 300 CRO (30 USD) is above the 10 USD threshold; needs 1 approval",
      requiredApprovals: 1,
    });
    expect(
      await evaluatePolicy({ policy: tiered, action: transfer(usdc("150")), price }),
    ).toMatchObject({
      outcome: "hold",
      rule: "approvals.aboveUsd",
      message: "held: 150 USDC is above the 100 USD threshold; needs 3 approvals",
      approvers: "any",
    });
  });

  test("behavior: a command may lower the threshold and carries its budget in any unit", async () => {
    const p = policy({ allowedActions: all, approvalThresholdUsd: "10" });
    expect(
      await evaluatePolicy({
        policy: p,
        action: transfer(usdc("6")),
        price,
        command: { limits: { approvalThresholdUsd: "5" } },
      }),
    ).toMatchObject({
      outcome: "hold",
      rule: "command.approvalThresholdUsd",
      message: "held: 6 USDC is above the 5 USD threshold; needs 1 approval",
    });
    const budget = { amount: "2", token: "USD" };
    expect(
      await evaluatePolicy({
        policy: p,
        action: transfer(usdc("5")),
        price,
        command: { limits: { budget } },
      }),
    ).toMatchObject({
      outcome: "refuse",
      rule: "command.budget",
      message: "refused: 5 USDC would bring this command to 5 USD, above its budget of 2 USD",
    });
    // An edit to another token is checked against the same budget: 500 CRO is 50 USDC.
    expect(
      await evaluatePolicy({
        policy: p,
        action: transfer(cro("500")),
        price,
        command: { limits: { budget: { amount: "2", token: "USDC" } } },
      }),
    ).toMatchObject({
      outcome: "refuse",
      rule: "command.budget",
      message:
        "refused: 500 CRO (50 USD) would bring this command to 50 USDC, above its budget of 2 USDC",
    });
    const spent = [{ token: "CRO", amount: parseEther("15"), usdMicros: 1_500_000n }];
    expect(
      (
        await evaluatePolicy({
          policy: p,
          action: transfer(usdc("0.5")),
          price,
          command: { limits: { budget }, spent },
        })
      ).outcome,
    ).toBe("allow");
    expect(
      (
        await evaluatePolicy({
          policy: p,
          action: transfer(usdc("0.500001")),
          price,
          command: { limits: { budget }, spent },
        })
      ).outcome,
    ).toBe("refuse");
  });

  test("behavior: a spend that cannot be priced is refused when a limit needs its USD value", async () => {
    const p = policy({ allowedActions: all, approvalThresholdUsd: "10" });
    expect(
      await evaluatePolicy({ policy: p, action: transfer(cro("1")), price: unpricedChain }),
    ).toMatchObject({
      outcome: "refuse",
      rule: "unpriced",
      message:
        "refused: 1 CRO cannot be valued in USD (no price for CRO), so the approval threshold cannot be checked",
      usdMicros: null,
    });
    const windows = policy({
      allowedActions: all,
      windows: [{ period: "day", amount: "5", token: "USDC" }],
    });
    expect(
      await evaluatePolicy({ policy: windows, action: transfer(cro("1")), price: unpricedChain }),
    ).toMatchObject({ outcome: "refuse", rule: "unpriced" });
    // Limits in the spend's own token need no price; stablecoins are pegged, no pool needed.
    const own = policy({ allowedActions: all, maxPerAction: { amount: "5", token: "CRO" } });
    expect(
      (await evaluatePolicy({ policy: own, action: transfer(cro("5")), price: unpricedChain }))
        .outcome,
    ).toBe("allow");
    expect(
      (await evaluatePolicy({ policy: p, action: transfer(usdc("1")), price: unpricedChain }))
        .outcome,
    ).toBe("allow");
  });

  test("behavior: window charges are computed in each window's unit; a single action larger than a window is refused", async () => {
    const p = policy({
      allowedActions: all,
      windows: [
        { period: "day", amount: "20", token: "USDC" },
        { period: "hour", maxCount: 3 },
        { period: "week", amount: "1000", token: "CRO" },
      ],
    });
    const allowed = await evaluatePolicy({ policy: p, action: transfer(cro("100")), price });
    expect(allowed).toMatchObject({
      outcome: "allow",
      charges: { CRO: parseEther("100"), USD: 10_000_000n, USDC: 10_000_000n },
    });
    expect(await evaluatePolicy({ policy: p, action: transfer(usdc("50")), price })).toMatchObject({
      outcome: "refuse",
      rule: "windows[0]",
      message: "refused: 50 USDC is above the policy's window of 20 USDC per day",
    });
    expect(await evaluatePolicy({ policy: p, action: transfer(usdc("15")), price })).toMatchObject({
      outcome: "allow",
      charges: { CRO: parseEther("150") },
    });
  });
});

describe("checkCommandLimits", () => {
  const p = policy({
    allowedActions: all,
    approvalThresholdUsd: "10",
    windows: [{ period: "day", amount: "100", token: "USD" }],
  });

  test("error: a command cannot raise the approval threshold (422, naming the rule)", async () => {
    const error = await checkCommandLimits({
      policy: p,
      limits: { approvalThresholdUsd: "1000" },
      network: "devnet",
      price,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyRuleError);
    expect(error).toMatchObject({
      status: 422,
      kind: "invalid",
      rule: "approvalThresholdUsd",
      shortMessage:
        "The command's approvalThreshold of 1000 USD is above the policy's approvalThresholdUsd of 10 USD; a command or session may lower it, never raise it",
    });
    expect(
      await checkCommandLimits({
        policy: p,
        limits: { approvalThresholdUsd: "2.5" },
        network: "devnet",
        price,
      }),
    ).toEqual({ approvalThresholdUsd: "2.5" });
  });

  test("error: without a policy threshold, the deployment default is the ceiling (and a session is named as one)", async () => {
    const saved = process.env.DEFAULT_APPROVAL_THRESHOLD_USD;
    process.env.DEFAULT_APPROVAL_THRESHOLD_USD = "7";
    resetConfig();
    try {
      const open = policy({ allowedActions: all });
      const error = await checkCommandLimits({
        policy: open,
        limits: { approvalThresholdUsd: "1000000" },
        network: "devnet",
        price,
        thresholdName: "The session's approvalThreshold",
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolicyRuleError);
      expect(error).toMatchObject({
        status: 422,
        rule: "approvalThresholdUsd",
        shortMessage:
          "The session's approvalThreshold of 1000000 USD is above the deployment's default approval threshold of 7 USD (the key's policy sets no approvalThresholdUsd); a command or session may lower it, never raise it",
      });
      await expect(
        checkCommandLimits({
          policy: open,
          limits: { approvalThresholdUsd: "7.01" },
          network: "devnet",
          price,
        }),
      ).rejects.toMatchObject({ rule: "approvalThresholdUsd", status: 422 });
      for (const lower of ["7", "0.5"]) {
        expect(
          await checkCommandLimits({
            policy: open,
            limits: { approvalThresholdUsd: lower },
            network: "devnet",
            price,
          }),
        ).toEqual({ approvalThresholdUsd: lower });
      }
      // A policy's own threshold is the ceiling, above the default or below it.
      expect(
        await checkCommandLimits({
          policy: policy({ allowedActions: all, approvalThresholdUsd: "50" }),
          limits: { approvalThresholdUsd: "40" },
          network: "devnet",
          price,
        }),
      ).toEqual({ approvalThresholdUsd: "40" });
    } finally {
      if (saved === undefined) delete process.env.DEFAULT_APPROVAL_THRESHOLD_USD;
      else process.env.DEFAULT_APPROVAL_THRESHOLD_USD = saved;
      resetConfig();
    }
  });

  test("error: a command budget above a window is refused, in any unit", async () => {
    await expect(
      checkCommandLimits({
        policy: p,
        limits: { budget: { amount: "150", token: "USDC" } },
        network: "devnet",
        price,
      }),
    ).rejects.toMatchObject({ rule: "windows[0]", status: 422 });
    await expect(
      checkCommandLimits({
        policy: p,
        limits: { budget: { amount: "1001", token: "CRO" } },
        network: "devnet",
        price,
      }),
    ).rejects.toMatchObject({ rule: "windows[0]" });
    expect(
      await checkCommandLimits({
        policy: p,
        limits: { budget: { amount: "1000", token: "CRO" } },
        network: "devnet",
        price,
      }),
    ).toEqual({ budget: { amount: "1000", token: "CRO" } });
  });
});
