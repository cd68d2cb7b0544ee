import { ServiceUnavailableError } from "../errors/index.js";

/**
 * Runs a market read for an API route: domain errors (unknown market, not available on this
 * network) keep their kind; anything without one is the RPC not answering, a 503 rather than a 500.
 */
export async function readingChain<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (typeof (error as { kind?: unknown } | null)?.kind === "string") throw error;
    throw new ServiceUnavailableError("The chain RPC did not answer", { cause: error });
  }
}
