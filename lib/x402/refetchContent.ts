import { fetchPinned } from "../security/fetchPinned.js";
import { readBodyCapped } from "../security/readBodyCapped.js";
import type { PaymentContent } from "./paymentRecords.js";

/**
 * The content of an already-paid resource, if the server gives it without a new payment.
 * Under "exact" most servers will not (the authorization is spent); then it is null, never
 * invented. Follows no redirect and stays on the checked address (fetchPinned).
 */
export async function refetchContent(parameters: {
  url: string;
  fetch?: typeof fetch | undefined;
  maxBodyBytes?: number;
}): Promise<PaymentContent | null> {
  try {
    const init = { signal: AbortSignal.timeout(15_000) };
    const response = parameters.fetch
      ? await parameters.fetch(parameters.url, { ...init, redirect: "manual" })
      : await fetchPinned(parameters.url, init, { redirect: "manual" });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    // A preview of content for a person: cut at the cap, and says so.
    const { text, truncated } = await readBodyCapped(
      response,
      parameters.maxBodyBytes ?? 64 * 1024,
    );
    return {
      status: response.status,
      body: text,
      truncated,
      contentType: response.headers.get("content-type"),
    };
  } catch {
    return null;
  }
}
