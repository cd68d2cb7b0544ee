import { describe, expect, test } from "vitest";
import type { ClientError } from "../../../lib/errors/index.js";
import { verifyCronRequest } from "../../../lib/security/verifyCronRequest.js";

const cron = (authorization?: string) =>
  new Request("http://localhost/api/cron/chain", {
    headers: authorization ? { authorization } : {},
  });
const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as ClientError).code;
  }
};

describe("verifyCronRequest", () => {
  test("behavior: the exact Bearer secret passes; anything else is 401", () => {
    const secret = "cron-secret-123";
    expect(codeOf(() => verifyCronRequest(cron(`Bearer ${secret}`), { secret }))).toBeUndefined();
    for (const header of [
      undefined,
      "Bearer wrong",
      `Bearer ${secret}x`,
      secret,
      `bearer  ${secret}`,
    ]) {
      expect(
        codeOf(() => verifyCronRequest(cron(header), { secret })),
        String(header),
      ).toBe("unauthorized");
    }
  });

  test("behavior: without a secret it is open on the devnet only, in any NODE_ENV", () => {
    expect(
      codeOf(() => verifyCronRequest(cron(), { secret: undefined, devnet: true })),
    ).toBeUndefined();
    expect(codeOf(() => verifyCronRequest(cron(), { secret: undefined, devnet: false }))).toBe(
      "unauthorized",
    );
  });

  test("behavior: with a secret the devnet needs it too", () => {
    expect(codeOf(() => verifyCronRequest(cron(), { secret: "s", devnet: true }))).toBe(
      "unauthorized",
    );
  });
});
