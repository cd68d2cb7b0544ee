import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Address, createPublicClient, erc20Abi, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createScratchDatabase } from "../helpers/db.js";
import { freePort, startTestDevnet } from "../helpers/devnet.js";
import { disposeHostData, type HostProcess, startHostProcess } from "../helpers/host.js";
import {
  type ExtractedRelease,
  extractRelease,
  PREVIOUS_RELEASE,
} from "../helpers/previousRelease.js";
import { execute, readEvents, waitForRun } from "../helpers/runs.js";

/**
 * "Survives redeployment", for real: runs are started on the previous release's build (its own
 * sources and workflow bundles, from git history), that host is stopped, and this tree's host starts
 * on the same data (database, workflow world, chain). One run waits for an approval, one sleeps on
 * a chain event (automine off). Then the approval is given and the block is mined.
 *
 * Each run must end exactly once — completed, or failed with a clear reason — with no reservation
 * left behind and the budget matching what moved on chain. Never a silent hang. Run on the embedded
 * default (PGlite + local world) and on the Postgres world.
 */
const root = path.resolve(import.meta.dirname, "../..");
// Not anvil accounts: no fixture (agent, merchant, facilitator) ever touches them.
const approvedRecipient = "0x2222222222222222222222222222222222222222" as Address;
const minedRecipient = "0x4444444444444444444444444444444444444444" as Address;
const USDC = 1_000_000n;

const cleanups: (() => Promise<void> | void)[] = [];
let release: ExtractedRelease;

beforeAll(() => {
  release = extractRelease(PREVIOUS_RELEASE);
  cleanups.push(() => release.dispose());
}, 300_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
});

/** The Postgres world's bootstrap, run by a given checkout's own setup script (as an operator would). */
function setupPostgres(checkout: string, env: Record<string, string>): void {
  const setup = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/tsx/dist/cli.mjs"), "dev/setupPostgres.ts"],
    { cwd: checkout, env: { ...process.env, ...env, LOG_LEVEL: "warn" }, encoding: "utf8" },
  );
  if (setup.status !== 0) throw new Error(`setup:postgres failed:\n${setup.stdout}${setup.stderr}`);
}

interface WorldSetup {
  name: string;
  env(): Promise<Record<string, string>>;
  /** Run before each host starts, with that host's checkout. */
  deploy(checkout: string, env: Record<string, string>): void;
}

const worlds: WorldSetup[] = [
  { name: "local world on embedded PGlite", env: async () => ({}), deploy: () => {} },
  {
    name: "Postgres world",
    env: async () => {
      const scratch = await createScratchDatabase("paygent_redeploy");
      cleanups.push(() => scratch.drop());
      return {
        DATABASE_URL: scratch.url,
        WORKFLOW_TARGET_WORLD: "@workflow/world-postgres",
        WORKFLOW_POSTGRES_URL: scratch.url,
        WORKFLOW_POSTGRES_RECLAIM_SECONDS: "15",
      };
    },
    deploy: setupPostgres,
  },
];

describe.each(worlds)(
  "behavior: runs started on the previous release end after a redeploy ($name)",
  (world) => {
    it("a run waiting for approval and a run sleeping on a chain event each end exactly once", async () => {
      // The chain outlives both deployments, as a real one does.
      const devnet = await startTestDevnet();
      cleanups.push(() => devnet.stop());
      const rpc = devnet.rpcUrl;
      const call = (method: string, params: unknown[] = []) =>
        fetch(rpc, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
        }).then((r) => r.json() as Promise<{ result?: unknown; error?: unknown }>);
      const chain = createPublicClient({ transport: http(rpc) });
      const balanceOf = (account: Address) =>
        chain.readContract({
          address: devnet.addresses.usdc,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [account],
        });

      const dataDir = mkdtempSync(path.join(tmpdir(), "paygent-redeploy-"));
      cleanups.push(() => disposeHostData(dataDir));
      const port = await freePort();
      const env = {
        ...(await world.env()),
        RPC_URL: rpc,
        RATE_LIMIT_PER_MINUTE: "100000",
        CHAIN_INLINE_WAIT_MS: "1000",
      };

      // The previous release accepts both runs.
      world.deploy(release.root, env);
      let host: HostProcess = await startHostProcess({ root: release.root, dataDir, port, env });
      cleanups.push(() => host.kill());
      const session = await host.request("POST", "/api/agent/sessions", {
        budget: { amount: "100", token: "USDC" },
        approvalThreshold: "5",
      });
      expect(session.status, JSON.stringify(session.body)).toBe(201);
      const sessionId: string = session.body.id;

      const approved = await execute(host, {
        command: `send 20 USDC to ${approvedRecipient}`,
        sessionId,
      });
      const waitingApproval = await waitForRun(host, approved.runId, ["waiting_approval"]);
      const approvalToken: string = waitingApproval.pendingApprovals[0].token;

      let mined = { runId: "", hash: "" };
      let approvalAnswer = 0;
      await call("evm_setAutomine", [false]);
      try {
        const accepted = await execute(host, {
          command: `send 1 USDC to ${minedRecipient}`,
          sessionId,
        });
        const waiting = await waitForRun(host, accepted.runId, ["waiting_event"]);
        const step = waiting.steps.find((s: { action: string }) => s.action === "transfer");
        expect(step.txHashes).toHaveLength(1);
        mined = { runId: accepted.runId, hash: step.txHashes[0] };

        // Redeploy: stop the previous release, start this tree's host on the same data.
        await host.stop();
        world.deploy(root, env);
        host = await startHostProcess({ dataDir, port, env });
        cleanups.push(() => host.stop());
        // 200: the decision is recorded. 409: the run already ended (its workflow could not resume
        // and the reconciler failed the run, cancelling its approval) — checked below.
        approvalAnswer = (
          await host.request("POST", `/api/approvals/${approvalToken}`, { decision: "approve" })
        ).status;
        expect([200, 409]).toContain(approvalAnswer);
        await call("evm_mine");
      } finally {
        await call("evm_setAutomine", [true]);
      }

      const finished = (runId: string) =>
        waitForRun(host, runId, ["completed", "failed", "cancelled"], 240_000).catch(
          (error: Error) => {
            throw new Error(
              `silent hang: ${error.message}\n--- host output ---\n${host.output().slice(-6000)}`,
            );
          },
        );
      const runs = [await finished(approved.runId), await finished(mined.runId)];
      const [approvedRun, minedRun] = runs;
      // Whatever else happens, the background checks get a few more rounds to change their minds.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      for (const run of runs) {
        const again = (await host.request("GET", `/api/runs/${run.id}`)).body;
        expect(again.status, `${run.id} changed after it ended`).toBe(run.status);
        // A failure names its reason.
        if (run.status !== "completed") {
          expect(run.status).toBe("failed");
          expect(run.error?.message, JSON.stringify(run.error)).toMatch(/\w{8,}/);
        }
        // Exactly one terminal event.
        const events = await readEvents(host, run.id, { maxMs: 5000 });
        const ends = events.filter((e) => /^run\.(completed|failed|cancelled)$/.test(e.event));
        expect(
          ends.map((e) => e.event),
          `${run.id}: ${events.map((e) => e.event).join(", ")}`,
        ).toHaveLength(1);
      }
      console.info(
        `[redeploy ${world.name}] ${PREVIOUS_RELEASE.slice(0, 7)} → this tree (approval answered ${approvalAnswer}): ` +
          runs
            .map((r) => `${r.id} ${r.status}${r.error ? ` (${JSON.stringify(r.error)})` : ""}`)
            .join("; "),
      );

      // The transaction broadcast before the redeploy landed once, whatever the run says.
      const receipt = await chain.getTransactionReceipt({ hash: mined.hash as `0x${string}` });
      expect(receipt.status).toBe("success");
      expect(await balanceOf(minedRecipient)).toBe(1n * USDC);
      const minedStep = minedRun.steps.find((s: { action: string }) => s.action === "transfer");
      expect(minedStep.txHashes).toEqual([mined.hash]);
      if (approvalAnswer === 409) expect(approvedRun.status).toBe("failed");
      // The approved transfer happened once if its run completed, never if it failed.
      const approvedMoved = approvedRun.status === "completed" ? 20n * USDC : 0n;
      expect(await balanceOf(approvedRecipient)).toBe(approvedMoved);

      // Budget: a reservation may be held until the chain has answered, but not forever; then
      // nothing is left reserved and spent is exactly what moved on chain.
      const budgetDeadline = Date.now() + 180_000;
      let budget: { reserved: string; spent: string };
      for (;;) {
        budget = (await host.request("GET", `/api/agent/sessions/${sessionId}`)).body.budgetStatus
          .budget;
        if (budget.reserved === "0" || Date.now() > budgetDeadline) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      expect(budget.reserved, `reservation never resolved: ${JSON.stringify(budget)}`).toBe("0");
      expect(BigInt(budget.spent), JSON.stringify(budget)).toBe(1n * USDC + approvedMoved);
    }, 900_000);
  },
);
