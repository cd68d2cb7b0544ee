import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import type { Database } from "../../../../lib/db/database.js";
import { runChecks } from "../../../../lib/runs/wake/backgroundChecks.js";

/** The checks here never touch the database they are handed. */
const db = {} as Kysely<Database>;

describe("runChecks", () => {
  it("behavior: a failing check is reported under failed, and the checks after it still run", async () => {
    const ran: string[] = [];
    const result = await runChecks(db, {
      chain: async () => {
        ran.push("chain");
        throw new Error("RPC unreachable");
      },
      approvalsWoken: async () => {
        ran.push("approvalsWoken");
        return 2;
      },
      stalledRuns: async () => {
        ran.push("stalledRuns");
        return { checked: 1, resumed: ["run_1"] };
      },
    });
    expect(ran).toEqual(["chain", "approvalsWoken", "stalledRuns"]);
    expect(result).toEqual({
      approvalsWoken: 2,
      stalledRuns: { checked: 1, resumed: ["run_1"] },
      failed: ["chain"],
    });
  });
});
