/**
 * One JSON-RPC call to anvil over plain fetch, for the devnet machinery that needs no viem client
 * (probing whether it answers, dumping its state). Throws on a JSON-RPC error or no result.
 */
export async function callAnvil(
  rpcUrl: string,
  method: string,
  options: { timeoutMs: number },
): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message?: string } };
  if (body.result === undefined) throw new Error(body.error?.message ?? `${method} failed`);
  return body.result;
}
