import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalWorld } from "@workflow/world-local";
import { afterEach, describe, expect, test } from "vitest";
import { registerInProcessHandlers } from "../../../lib/world/registerInProcessHandlers.js";

/**
 * The real local world queue, 1,600 step messages whose handler holds each for 2 s (so the
 * requests stay alive and nothing is collected in between, as in a quiet host after a burst).
 */
describe("registerInProcessHandlers", () => {
  const messages = 1600;
  let dataDir: string;
  let server: Server | undefined;
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  const abortWarnings = () =>
    warnings.filter((w) =>
      /MaxListenersExceededWarning: .*abort listeners added to \[AbortSignal\]/.test(w),
    );
  const hold = () => new Promise((resolve) => setTimeout(resolve, 2000));

  // Collected here instead of printed (the HTTP case prints a hundred of them).
  let printers: NodeJS.WarningListener[] = [];

  afterEach(async () => {
    process.off("warning", onWarning);
    for (const printer of printers) process.on("warning", printer);
    warnings.length = 0;
    server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const run = async (inProcess: boolean) => {
    printers = process.listeners("warning");
    process.removeAllListeners("warning");
    process.on("warning", onWarning);
    dataDir = await mkdtemp(path.join(tmpdir(), "paygent-queue-"));
    let served = 0;
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () =>
        hold().then(() => {
          served++;
          res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
        }),
      );
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const world = createLocalWorld({ dataDir, baseUrl: `http://127.0.0.1:${port}` });
    const handler = async () => {
      await hold();
      served++;
      return Response.json({ ok: true });
    };
    const registered =
      inProcess && registerInProcessHandlers(world, { flow: handler, step: handler });
    for (let i = 0; i < messages; i++) {
      await world.queue("__wkf_step_noop", {
        workflowRunId: "wrun_test",
        stepId: `step_${i}`,
      } as never);
    }
    const deadline = Date.now() + 60_000;
    // Over HTTP the warning is the finding; on a loaded machine the last deliveries can lag it.
    const done = () => served >= messages || (!inProcess && abortWarnings().length > 0);
    while (!done() && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await world.close?.();
    return { registered, served };
  };

  test("behavior: in-process delivery serves every message and adds no abort listener", async () => {
    const { registered, served } = await run(true);
    expect(registered).toBe(true);
    expect(served).toBe(messages);
    expect(abortWarnings()).toEqual([]);
  }, 120_000);

  test("behavior: over HTTP the same burst piles listeners on one signal (the warning we fix)", async () => {
    const { served } = await run(false);
    expect(served).toBeGreaterThan(0);
    expect(abortWarnings().length).toBeGreaterThan(0);
  }, 120_000);

  test("args: a world without in-process delivery is left alone", () => {
    const handler = () => new Response(null);
    expect(registerInProcessHandlers({}, { flow: handler, step: handler })).toBe(false);
  });
});
