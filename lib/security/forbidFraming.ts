/**
 * Clickjacking: a page of another origin that frames the desk can lay its own buttons over
 * "Approve" and have an approver click through. The page's <meta> Content-Security-Policy cannot
 * forbid that (browsers ignore frame-ancestors in <meta>), so every HTML response carries it as a
 * header, with X-Frame-Options for browsers that predate CSP level 2. vercel.json sets the same
 * two headers on the static page, which no function serves on Vercel (tests/api/frameHeaders).
 */
export const FRAME_ANCESTORS_NONE = "frame-ancestors 'none'";
export const X_FRAME_OPTIONS = "DENY";

/**
 * The Content-Security-Policy header value `policy` with framing forbidden: every directive of
 * every policy kept, except a frame-ancestors of its own, which is replaced (of two frame-ancestors
 * in one policy a browser obeys the first, so appending alone would not do).
 */
export function forbidFramingInPolicy(policy: string | null): string {
  if (!policy?.trim()) return FRAME_ANCESTORS_NONE;
  // A header may carry several policies separated by commas; a browser enforces each of them.
  return policy
    .split(",")
    .map((one) =>
      [
        ...one
          .split(";")
          .map((directive) => directive.trim())
          .filter((directive) => directive !== "" && !/^frame-ancestors(\s|$)/i.test(directive)),
        FRAME_ANCESTORS_NONE,
      ].join("; "),
    )
    .join(", ");
}

/**
 * The response with framing forbidden when it is HTML; any other response is returned as it is.
 * Returns a new Response because responses from fetch() have immutable headers.
 */
export function forbidFraming(response: Response): Response {
  const type = response.headers.get("content-type") ?? "";
  if (!/^\s*text\/html\b/i.test(type)) return response;
  const headers = new Headers(response.headers);
  headers.set(
    "content-security-policy",
    forbidFramingInPolicy(response.headers.get("content-security-policy")),
  );
  headers.set("x-frame-options", X_FRAME_OPTIONS);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
