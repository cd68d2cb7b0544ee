import { resolveAmount } from "../amounts/resolveAmount.js";
import { resolveNetworkRef } from "../chain/resolveNetworkRef.js";
import { ClientError } from "../errors/index.js";
import type {
  ServicePriceRequest,
  ServiceRequest,
  ServiceUpdateRequest,
} from "./requestSchemas.js";
import type { ServiceInput, ServiceUpdate } from "./schemas.js";

/** A declared price in whole tokens → the stored form: base units, token address, CAIP-2 network. */
export function toStoredPrice(price: {
  amount: string;
  token: string;
  network: string;
}): ServiceInput["price"] {
  const network = resolveNetworkRef(price.network, "price.network");
  const resolved = resolveAmount(
    { amount: price.amount, token: price.token },
    { network: network.name, field: "price", allowZero: true },
  );
  if (!resolved.info || resolved.info.address === "native") {
    // x402 "exact" moves an EIP-3009 token; native CRO cannot be authorized that way.
    throw new ClientError(
      "validation_failed",
      `price: x402 prices are paid in an ERC-20 token such as USDC, not ${resolved.token}`,
    );
  }
  return {
    amount: resolved.baseUnits.toString(),
    asset: resolved.info.address,
    network: network.caip2,
  };
}

/** POST /api/services body → createService's input. */
export function toServiceInput(request: ServiceRequest): ServiceInput {
  return { ...request, price: toStoredPrice(request.price) };
}

/** PUT /api/services/{id} body → updateService's patch; a price without network keeps `currentNetwork`. */
export function toServiceUpdate(
  request: ServiceUpdateRequest,
  currentNetwork: string,
): ServiceUpdate {
  const { price, ...rest } = request;
  if (!price) return rest;
  const withNetwork: ServicePriceRequest = { ...price, network: price.network ?? currentNetwork };
  return { ...rest, price: toStoredPrice(withNetwork) };
}
