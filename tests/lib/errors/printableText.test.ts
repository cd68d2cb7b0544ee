import { describe, expect, it } from "vitest";
import { ChainUnavailableError, revertReasonOf } from "../../../lib/chain/errors.js";
import { printableText } from "../../../lib/errors/index.js";
import { hintsOf, messageOf } from "../../../lib/runs/execute/stepErrors.js";

/**
 * Text from outside (a revert reason decoded from raw bytes) reaches failure messages; Postgres
 * refuses NUL in text and JSON, so recording such a failure used to fail and the step retried.
 */
describe("printableText", () => {
  it("replaces runs of control characters with one space, keeps tabs, newlines and Unicode", () => {
    expect(printableText("transfer\u0000\u0000\u0000 to zero\u0007")).toBe("transfer to zero");
    expect(printableText("a\tb\nc — ünïcode")).toBe("a\tb\nc — ünïcode");
  });

  it("a revert reason with NUL bytes comes out printable; an all-NUL reason falls through", () => {
    const decoded = { reason: "\u0000\u0000ERC20: bad\u0000", cause: undefined };
    expect(revertReasonOf(decoded)).toBe("ERC20: bad");
    const nulOnly = { reason: "\u0000\u0000", shortMessage: "Execution reverted\u0000" };
    expect(revertReasonOf(nulOnly)).toBe("Execution reverted");
  });

  it("messageOf and hintsOf never carry a NUL into a run's failure", () => {
    const error = new ChainUnavailableError("RPC said \u0000no", {
      metaMessages: ["try\u0000again"],
    });
    expect(messageOf(error)).toBe("RPC said no");
    expect(hintsOf(error)).toEqual({ hints: ["try again"] });
    expect(messageOf(new Error("plain\u0000error"))).toBe("plain error");
  });
});
