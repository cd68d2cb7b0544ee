import { mkdir, readdir, rename, rmdir, stat } from "node:fs/promises";
import path from "node:path";

export interface CompactLocalEventsResult {
  /** Whether the folder was rebuilt (or an interrupted rebuild finished). */
  compacted: boolean;
  /** Entries in the events folder. */
  files: number;
  /** The folder's own size before and after, in bytes (what a listing reads). */
  bytesBefore: number;
  bytesAfter: number;
}

/** A folder this much larger than its entries need is rebuilt (ext4 needs ~100–150 B an entry). */
const BYTES_PER_ENTRY_LIMIT = 512;
/** Small folders are never worth rebuilding. */
const MIN_BYTES = 256 * 1024;

/**
 * Gives the local world's events/ folder back the size its entries need. A directory on ext4 (and
 * most Linux file systems) never shrinks: once it held 69,000 event files, listing it reads every
 * block of that peak even after pruneLocalEvents left 1,700 (3.9 ms a listing against 1.3 ms for
 * the same files in a new folder), and the local world lists it on every step of every run. That
 * was the "after 10,000 runs" slowdown the history benchmark kept finding (bench/HISTORY.md).
 *
 * The files move one by one into `events.compacting/`, which then takes the old name. Each rename is
 * atomic, so every event file is always in one of the two folders; a host killed half-way finishes
 * the move on its next start. Run at start-up only, before the world resumes runs: the local world
 * belongs to this one process, and nothing else writes the folder while it is rebuilt.
 */
export async function compactLocalEvents(dataDir: string): Promise<CompactLocalEventsResult> {
  const eventsDir = path.join(dataDir, "events");
  const compactingDir = path.join(dataDir, "events.compacting");
  const resuming = await exists(compactingDir);
  const before = await stat(eventsDir).catch(notFound);
  const names = before ? await readdir(eventsDir) : [];
  const bytesBefore = before?.size ?? 0;
  const bloated =
    bytesBefore > MIN_BYTES && bytesBefore > Math.max(names.length, 1) * BYTES_PER_ENTRY_LIMIT;
  if (!resuming && !bloated) {
    return { compacted: false, files: names.length, bytesBefore, bytesAfter: bytesBefore };
  }

  await mkdir(compactingDir, { recursive: true });
  for (const name of names)
    await rename(path.join(eventsDir, name), path.join(compactingDir, name));
  if (before) await rmdir(eventsDir);
  await rename(compactingDir, eventsDir);
  const after = await stat(eventsDir);
  return {
    compacted: true,
    files: (await readdir(eventsDir)).length,
    bytesBefore,
    bytesAfter: after.size,
  };
}

async function exists(dir: string): Promise<boolean> {
  return (await stat(dir).catch(notFound)) !== undefined;
}

function notFound(error: NodeJS.ErrnoException): undefined {
  if (error.code === "ENOENT") return undefined;
  throw error;
}
