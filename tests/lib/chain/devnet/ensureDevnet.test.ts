import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createWalletClient, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, describe, expect, test } from "vitest";
import { devnetChain } from "../../../../lib/chain/chains.js";
import { devnetAccount } from "../../../../lib/chain/devnet/devnetAccounts.js";
import {
  type EnsureDevnetReturnType,
  ensureDevnet,
} from "../../../../lib/chain/devnet/ensureDevnet.js";
import { startAnvil } from "../../../../lib/chain/devnet/startAnvil.js";
import { freePort } from "../../../helpers/devnet.js";

const stateDir = mkdtempSync(join(tmpdir(), "paygent-devnet-"));
let current: EnsureDevnetReturnType | undefined;
let port: number;

afterAll(async () => {
  await current?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe("ensureDevnet", () => {
  test("behavior: reuses a live anvil, and the chain survives SIGKILL of anvil itself", async () => {
    port = await freePort();
    current = await ensureDevnet({ port, stateDir });
    expect(current.reused).toBe(false);
    expect(current.addresses.sent).toBeGreaterThan(0);

    const again = await ensureDevnet({ port, stateDir });
    expect(again.reused).toBe(true);
    expect(again.pid).toBe(current.pid);
    expect(again.addresses.sent).toBe(0);

    const chain = devnetChain(current.rpcUrl);
    const funder = createWalletClient({
      chain,
      transport: http(current.rpcUrl),
      account: privateKeyToAccount(devnetAccount("funder").privateKey),
    });
    const client = createPublicClient({ chain, transport: http(current.rpcUrl) });
    const recipient = privateKeyToAccount(`0x${"ab".repeat(32)}`).address;
    const hash = await funder.sendTransaction({ to: recipient, value: parseEther("1.5") });
    await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });

    // anvil dumps its state every second; give it one interval, then kill it without warning.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    process.kill(current.pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));

    current = await ensureDevnet({ port, stateDir });
    expect(current.reused).toBe(false);
    expect(current.addresses.sent).toBe(0);
    const restored = createPublicClient({ chain, transport: http(current.rpcUrl) });
    expect(await restored.getBalance({ address: recipient })).toBe(parseEther("1.5"));
  });

  test("behavior: anvil's pid is recorded as soon as it is spawned, before it answers, so a host that dies while it starts leaves no unknown chain running", async () => {
    const dir = mkdtempSync(join(tmpdir(), "paygent-anvil-pid-"));
    const pidPath = join(dir, "anvil.pid");
    let started = false;
    const starting = startAnvil({ port: await freePort(), stateDir: dir, detached: true });
    starting.then(
      () => {
        started = true;
      },
      () => {},
    );
    let seenWhileStarting: { pid: number } | undefined;
    while (!started) {
      if (!seenWhileStarting && existsSync(pidPath)) {
        seenWhileStarting = JSON.parse(readFileSync(pidPath, "utf8"));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const anvil = await starting;
    try {
      expect(seenWhileStarting?.pid).toBe(anvil.pid);
    } finally {
      await anvil.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(pidPath)).toBe(false);
  });

  test("behavior: a truncated state file (killed mid-dump) falls back to the last good one", async () => {
    const recipient = privateKeyToAccount(`0x${"ab".repeat(32)}`).address;
    await current?.stop();
    const statePath = join(stateDir, "state.json");
    writeFileSync(statePath, readFileSync(statePath, "utf8").slice(0, 1000));
    current = await ensureDevnet({ port, stateDir });
    expect(current.addresses.sent).toBe(0);
    const client = createPublicClient({
      chain: devnetChain(current.rpcUrl),
      transport: http(current.rpcUrl),
    });
    expect(await client.getBalance({ address: recipient })).toBe(parseEther("1.5"));
  });
});
