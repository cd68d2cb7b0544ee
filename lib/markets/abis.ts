import { parseAbi } from "viem";

/**
 * The slices of the Gnosis Conditional Tokens (1.0.3) and fixed-product market maker (1.8.1) ABIs
 * Paygent calls, typed for viem. Runtime code needs only these; the compiled contracts (LGPL-3.0)
 * are devnet fixtures. tests/lib/markets/abis.test.ts checks every fragment against the artifacts.
 */

/** ConditionalTokens: conditions, ERC-1155 positions, resolution and redemption. */
export const conditionalTokensAbi = parseAbi([
  "function prepareCondition(address oracle, bytes32 questionId, uint256 outcomeSlotCount)",
  "function reportPayouts(bytes32 questionId, uint256[] payouts)",
  "function redeemPositions(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] indexSets)",
  "function getOutcomeSlotCount(bytes32 conditionId) view returns (uint256)",
  "function getConditionId(address oracle, bytes32 questionId, uint256 outcomeSlotCount) pure returns (bytes32)",
  "function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet) view returns (bytes32)",
  "function getPositionId(address collateralToken, bytes32 collectionId) pure returns (uint256)",
  "function payoutNumerators(bytes32, uint256) view returns (uint256)",
  "function payoutDenominator(bytes32) view returns (uint256)",
  "function balanceOf(address owner, uint256 id) view returns (uint256)",
  "function balanceOfBatch(address[] owners, uint256[] ids) view returns (uint256[])",
  "function isApprovedForAll(address owner, address operator) view returns (bool)",
  "function setApprovalForAll(address operator, bool approved)",
  "event ConditionResolution(bytes32 indexed conditionId, address indexed oracle, bytes32 indexed questionId, uint256 outcomeSlotCount, uint256[] payoutNumerators)",
  "event PayoutRedemption(address indexed redeemer, address indexed collateralToken, bytes32 indexed parentCollectionId, bytes32 conditionId, uint256[] indexSets, uint256 payout)",
  "event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)",
]);

/** FixedProductMarketMaker: pricing, funding and trading. */
export const fpmmAbi = parseAbi([
  "function conditionalTokens() view returns (address)",
  "function collateralToken() view returns (address)",
  "function conditionIds(uint256) view returns (bytes32)",
  "function fee() view returns (uint256)",
  "function totalSupply() view returns (uint256)",
  "function addFunding(uint256 addedFunds, uint256[] distributionHint)",
  "function calcBuyAmount(uint256 investmentAmount, uint256 outcomeIndex) view returns (uint256)",
  "function calcSellAmount(uint256 returnAmount, uint256 outcomeIndex) view returns (uint256)",
  "function buy(uint256 investmentAmount, uint256 outcomeIndex, uint256 minOutcomeTokensToBuy)",
  "function sell(uint256 returnAmount, uint256 outcomeIndex, uint256 maxOutcomeTokensToSell)",
  "event FPMMBuy(address indexed buyer, uint256 investmentAmount, uint256 feeAmount, uint256 indexed outcomeIndex, uint256 outcomeTokensBought)",
  "event FPMMSell(address indexed seller, uint256 returnAmount, uint256 feeAmount, uint256 indexed outcomeIndex, uint256 outcomeTokensSold)",
]);

/** FixedProductMarketMakerFactory: creates a market maker clone for a set of conditions. */
export const fpmmFactoryAbi = parseAbi([
  "function createFixedProductMarketMaker(address conditionalTokens, address collateralToken, bytes32[] conditionIds, uint256 fee) returns (address)",
  "event FixedProductMarketMakerCreation(address indexed creator, address fixedProductMarketMaker, address indexed conditionalTokens, address indexed collateralToken, bytes32[] conditionIds, uint256 fee)",
]);
