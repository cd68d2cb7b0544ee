import type { Account, Chain, Hash, Transport, WalletClient } from "viem";
import { erc20Abi } from "viem";
import { conditionalTokensAbi, fpmmAbi, fpmmFactoryAbi } from "../../markets/abis.js";
import { getConditionId } from "../../markets/getConditionId.js";
import { eip3009Abi } from "../abis.js";
import { fixtureArtifacts } from "./artifacts.js";
import { devnetAddresses } from "./devnetAddresses.js";
import {
  type DevnetMarketFixture,
  devnetMarketFee,
  devnetMarkets,
  devnetOracle,
} from "./devnetMarkets.js";

/** The fixture steps that build the prediction markets (nonces 13 and up in fixtureNonce). */
export type MarketFixtureStep =
  | "deployConditionalTokens"
  | "deployFpmmFactory"
  | "mintMarketUsdc"
  | "prepareCroAbove"
  | "createCroAbove"
  | "approveCroAbove"
  | "fundCroAbove"
  | "prepareCroRange"
  | "createCroRange"
  | "approveCroRange"
  | "fundCroRange";

/**
 * The deployer's transactions that create the devnet prediction markets: ConditionalTokens, the FPMM
 * factory, then per market prepareCondition → createFixedProductMarketMaker → approve → addFunding.
 * deployFixtures runs them in fixtureNonce order after the DEX fixtures.
 */
export function marketFixtureSteps(
  client: WalletClient<Transport, Chain, Account>,
): Record<MarketFixtureStep, (nonce: number) => Promise<Hash>> {
  const addresses = devnetAddresses();
  const artifacts = fixtureArtifacts();
  const [croAbove, croRange] = devnetMarkets() as [DevnetMarketFixture, DevnetMarketFixture];
  const oracle = devnetOracle();
  const totalFunding = devnetMarkets().reduce((sum, market) => sum + market.funding, 0n);

  const prepare = (market: DevnetMarketFixture) => (nonce: number) =>
    client.writeContract({
      address: addresses.conditionalTokens,
      abi: conditionalTokensAbi,
      functionName: "prepareCondition",
      args: [oracle, market.questionId, BigInt(market.outcomes.length)],
      nonce,
    });
  const create = (market: DevnetMarketFixture) => (nonce: number) =>
    client.writeContract({
      address: addresses.fpmmFactory,
      abi: fpmmFactoryAbi,
      functionName: "createFixedProductMarketMaker",
      args: [
        addresses.conditionalTokens,
        addresses.usdc,
        [
          getConditionId({
            oracle,
            questionId: market.questionId,
            outcomeSlotCount: market.outcomes.length,
          }),
        ],
        devnetMarketFee,
      ],
      nonce,
    });
  const approve = (market: DevnetMarketFixture) => (nonce: number) =>
    client.writeContract({
      address: addresses.usdc,
      abi: erc20Abi,
      functionName: "approve",
      args: [market.fpmm, market.funding],
      nonce,
    });
  const fund = (market: DevnetMarketFixture) => (nonce: number) =>
    client.writeContract({
      address: market.fpmm,
      abi: fpmmAbi,
      functionName: "addFunding",
      args: [market.funding, [...market.distributionHint]],
      nonce,
    });

  return {
    deployConditionalTokens: (nonce) =>
      client.deployContract({ ...artifacts.conditionalTokens, nonce }),
    deployFpmmFactory: (nonce) => client.deployContract({ ...artifacts.fpmmFactory, nonce }),
    mintMarketUsdc: (nonce) =>
      client.writeContract({
        address: addresses.usdc,
        abi: eip3009Abi,
        functionName: "mint",
        args: [addresses.deployer, totalFunding],
        nonce,
      }),
    prepareCroAbove: prepare(croAbove),
    createCroAbove: create(croAbove),
    approveCroAbove: approve(croAbove),
    fundCroAbove: fund(croAbove),
    prepareCroRange: prepare(croRange),
    createCroRange: create(croRange),
    approveCroRange: approve(croRange),
    fundCroRange: fund(croRange),
  };
}
