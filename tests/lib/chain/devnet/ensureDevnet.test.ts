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
/** How often the last good state is refreshed here (the product's default is 5 s). */
const keepStateEveryMs = 300;
/** The chain right after the fixtures were deployed (a whole state, older than the later ones). */
let fixturesOnly = "";

afterAll(async () => {
  await current?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** A public client of the devnet at `rpcUrl`. */
function chainClient(rpcUrl: string) {
  return createPublicClient({ chain: devnetChain(rpcUrl), transport: http(rpcUrl) });
}

/** Waits until a state file parses and names `address`. */
async function waitForDump(statePath: string, address: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const text = readFileSync(statePath, "utf8");
      JSON.parse(text);
      if (text.toLowerCase().includes(address.slice(2).toLowerCase())) return;
    } catch {
      // Not written yet, or being rewritten.
    }
    if (Date.now() > deadline) throw new Error(`no state dump naming ${address} within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("ensureDevnet", () => {
  test("behavior: reuses a live anvil, and the chain survives SIGKILL of anvil itself", async () => {
    port = await freePort();
    current = await ensureDevnet({ port, stateDir, keepStateEveryMs });
    expect(current.reused).toBe(false);
    expect(current.addresses.sent).toBeGreaterThan(0);
    // The fixtures were kept as the last good state before ensureDevnet returned.
    fixturesOnly = readFileSync(join(stateDir, "state.prev.json"), "utf8");
    expect(fixturesOnly.toLowerCase()).toContain(current.addresses.usdc.slice(2).toLowerCase());

    const again = await ensureDevnet({ port, stateDir, keepStateEveryMs });
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

    // anvil rewrites state.json every second, in place: a kill can land mid-write (a truncated
    // file), and the start then loads the last good copy. Wait until that copy holds the transfer,
    // then kill anvil without warning: either file gives the same chain back.
    await waitForDump(join(stateDir, "state.prev.json"), recipient);
    process.kill(current.pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));

    current = await ensureDevnet({ port, stateDir, keepStateEveryMs });
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

  test("behavior: a truncated state file (killed mid-dump) falls back to the last good one, kept fresh while the host runs", async () => {
    const recipient = privateKeyToAccount(`0x${"ab".repeat(32)}`).address;
    // A transfer made after this start: the copy taken at start cannot hold it, only the one
    // keepLastGoodState refreshes.
    const later = privateKeyToAccount(`0x${"cd".repeat(32)}`).address;
    const live = current!;
    const funder = createWalletClient({
      chain: devnetChain(live.rpcUrl),
      transport: http(live.rpcUrl),
      account: privateKeyToAccount(devnetAccount("funder").privateKey),
    });
    const hash = await funder.sendTransaction({ to: later, value: parseEther("0.25") });
    await chainClient(live.rpcUrl).waitForTransactionReceipt({ hash, pollingInterval: 20 });
    await waitForDump(join(stateDir, "state.prev.json"), later);

    // Killed in the middle of a dump: the file it was writing is cut short.
    process.kill(live.pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const statePath = join(stateDir, "state.json");
    writeFileSync(statePath, readFileSync(statePath, "utf8").slice(0, 1000));

    current = await ensureDevnet({ port, stateDir, keepStateEveryMs });
    expect(current.addresses.sent).toBe(0);
    const client = chainClient(current.rpcUrl);
    expect(await client.getBalance({ address: recipient })).toBe(parseEther("1.5"));
    expect(await client.getBalance({ address: later })).toBe(parseEther("0.25"));
  });

  test("behavior: a whole but older state.json (anvil's dumps lagging the chain) loses to the newer kept copy", async () => {
    const later = privateKeyToAccount(`0x${"cd".repeat(32)}`).address;
    const live = current!;
    await waitForDump(join(stateDir, "state.prev.json"), later);
    process.kill(live.pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    // As if anvil's last dump had been taken right after the fixtures: it parses, but is older.
    writeFileSync(join(stateDir, "state.json"), fixturesOnly);

    current = await ensureDevnet({ port, stateDir, keepStateEveryMs });
    expect(current.addresses.sent).toBe(0);
    const client = chainClient(current.rpcUrl);
    expect(await client.getBalance({ address: later })).toBe(parseEther("0.25"));
  });
});
