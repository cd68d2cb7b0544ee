// The demo markets are plain data that functions need too (lib/chain/registry.ts): they live in
// lib/chain/devnetMarkets.ts (outside this dev-only folder); re-exported for the devnet tooling.
export {
  type DevnetMarketFixture,
  devnetMarketFee,
  devnetMarkets,
  devnetOracle,
} from "../devnetMarkets.js";
