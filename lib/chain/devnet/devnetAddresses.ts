// The fixture addresses are plain constants that functions need too: they live in
// lib/chain/devnetConstants.ts (outside this dev-only folder); re-exported for the devnet tooling.
export {
  type DevnetAddresses,
  devnetAddresses,
  fixtureNonce,
  MULTICALL3_ADDRESS,
} from "../devnetConstants.js";
