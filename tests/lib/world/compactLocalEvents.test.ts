import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { compactLocalEvents } from "../../../lib/world/compactLocalEvents.js";

/** A local world data folder laid out as @workflow/world-local writes it. */
describe("compactLocalEvents", () => {
  let dataDir: string;
  const eventsDir = () => path.join(dataDir, "events");
  const compactingDir = () => path.join(dataDir, "events.compacting");

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "paygent-compact-"));
    await mkdir(eventsDir());
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const eventName = (i: number) =>
    `wrun_01M8${String(i).padStart(22, "0")}-evnt_01M8${String(i).padStart(22, "0")}.json`;
  /** Events `from` to `to` (exclusive), written 100 at a time. */
  const writeEvents = async (dir: string, from: number, to: number) => {
    for (let start = from; start < to; start += 100) {
      const batch = Array.from({ length: Math.min(100, to - start) }, (_, k) => start + k);
      await Promise.all(
        batch.map((i) => writeFile(path.join(dir, eventName(i)), JSON.stringify({ i }))),
      );
    }
  };
  const contents = async (dir: string) =>
    Object.fromEntries(
      await Promise.all(
        (await readdir(dir)).map(async (name) => [
          name,
          await readFile(path.join(dir, name), "utf8"),
        ]),
      ),
    );

  test("behavior: a folder that once held far more files is rebuilt with every file kept", async () => {
    // 12,000 events, then all but 100 pruned: the folder keeps the size of its peak.
    await writeEvents(eventsDir(), 0, 12_000);
    for (let start = 100; start < 12_000; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, k) => unlink(path.join(eventsDir(), eventName(start + k)))),
      );
    }
    const kept = await contents(eventsDir());
    expect(Object.keys(kept)).toHaveLength(100);
    // This file system keeps a directory's peak size (ext4 does): the precondition of the check.
    expect((await stat(eventsDir())).size).toBeGreaterThan(512 * 1024);

    const result = await compactLocalEvents(dataDir);

    expect(result.compacted).toBe(true);
    expect(result.files).toBe(100);
    expect(result.bytesAfter).toBeLessThan(result.bytesBefore / 10);
    expect(await contents(eventsDir())).toEqual(kept);
    await expect(stat(compactingDir())).rejects.toThrow(/ENOENT/);
  });

  test("behavior: a folder the size its files need is left alone", async () => {
    await writeEvents(eventsDir(), 0, 500);
    const before = await stat(eventsDir());

    const result = await compactLocalEvents(dataDir);

    expect(result).toEqual({
      compacted: false,
      files: 500,
      bytesBefore: before.size,
      bytesAfter: before.size,
    });
    // The same folder (same inode), not a rebuilt one.
    expect((await stat(eventsDir())).ino).toBe(before.ino);
  });

  test("behavior: a rebuild a killed host left half-done is finished on the next start", async () => {
    await mkdir(compactingDir());
    await writeEvents(compactingDir(), 0, 30);
    await writeEvents(eventsDir(), 30, 50);

    const result = await compactLocalEvents(dataDir);

    expect(result.compacted).toBe(true);
    expect(result.files).toBe(50);
    expect((await readdir(eventsDir())).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => eventName(i)).sort(),
    );
    await expect(stat(compactingDir())).rejects.toThrow(/ENOENT/);
  });

  test("behavior: killed after the old folder was removed, the rebuilt one takes its name", async () => {
    await rm(eventsDir(), { recursive: true });
    await mkdir(compactingDir());
    await writeEvents(compactingDir(), 0, 10);

    const result = await compactLocalEvents(dataDir);

    expect(result.compacted).toBe(true);
    expect(result.files).toBe(10);
    await expect(stat(compactingDir())).rejects.toThrow(/ENOENT/);
  });

  test("behavior: a world that has written no events yet is left alone", async () => {
    await rm(eventsDir(), { recursive: true });

    const result = await compactLocalEvents(dataDir);

    expect(result).toEqual({ compacted: false, files: 0, bytesBefore: 0, bytesAfter: 0 });
    await expect(stat(eventsDir())).rejects.toThrow(/ENOENT/);
  });
});
