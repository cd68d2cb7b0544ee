import { connect } from "node:net";

/** Local services the integration suites need (see .ci/run, which starts them in CI). */
export const LOCAL_REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** True when CI asked that every real-service suite run (PAYGENT_REQUIRE_SERVICES=1). */
export const servicesRequired = process.env.PAYGENT_REQUIRE_SERVICES === "1";

/** Resolves true when a TCP port accepts connections within `timeoutMs`. */
export function isPortOpen(url: string, defaultPort: number, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || defaultPort) });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Decides whether a real-service suite runs. Unreachable + PAYGENT_REQUIRE_SERVICES=1 throws (CI
 * must never go green by skipping); otherwise it warns and the caller skips.
 */
export async function requireService(
  name: string,
  url: string,
  defaultPort: number,
): Promise<boolean> {
  if (await isPortOpen(url, defaultPort)) return true;
  const where = new URL(url).host;
  if (servicesRequired) {
    throw new Error(
      `${name} at ${where} is unreachable and PAYGENT_REQUIRE_SERVICES=1: start it (see .ci/run)`,
    );
  }
  console.warn(
    `[skip] ${name} at ${where} is unreachable; its tests are skipped (start it, see .ci/run)`,
  );
  return false;
}
