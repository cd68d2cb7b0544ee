/** JSON response with the right content type. */
export function json(body: unknown, init: ResponseInit & { status?: number } = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(
    JSON.stringify(body, (_key, value) => (typeof value === "bigint" ? value.toString() : value)),
    { ...init, headers },
  );
}
