import { type Address, encodePacked, type Hex, keccak256 } from "viem";

export interface GetConditionIdParameters {
  oracle: Address;
  questionId: Hex;
  outcomeSlotCount: number;
}

/** The ConditionalTokens condition id (CTHelpers.getConditionId): keccak256(oracle ‖ questionId ‖ outcomeSlotCount). */
export function getConditionId(parameters: GetConditionIdParameters): Hex {
  return keccak256(
    encodePacked(
      ["address", "bytes32", "uint256"],
      [parameters.oracle, parameters.questionId, BigInt(parameters.outcomeSlotCount)],
    ),
  );
}
