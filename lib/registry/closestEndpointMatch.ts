/**
 * Of services whose endpoint has the same endpointKey as `url` (the same resource), the one `url`
 * names most precisely: a stored endpoint may carry a query of its own (`…/quote?plan=pro`), so the
 * candidate whose every query parameter `url` carries, with the most such parameters, wins; the
 * URL's own extra parameters are the payer's business. When none qualifies, the first candidate
 * still names the resource: a payment to a registered path is never treated as unregistered, or
 * the policy rules on the service's id would not apply to it. Candidates come ordered by id, which
 * breaks ties.
 */
export function closestEndpointMatch<T extends { endpoint: string }>(
  candidates: readonly T[],
  url: string,
): T | undefined {
  const asked = new URL(url.trim()).searchParams;
  let best: { candidate: T; matched: number } | undefined;
  for (const candidate of candidates) {
    const own = URL.canParse(candidate.endpoint)
      ? [...new URL(candidate.endpoint).searchParams]
      : [];
    if (!own.every(([name, value]) => asked.getAll(name).includes(value))) continue;
    if (!best || own.length > best.matched) best = { candidate, matched: own.length };
  }
  return best?.candidate ?? candidates[0];
}
