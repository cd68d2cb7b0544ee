import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { BaseError, type ErrorKind } from "../errors/index.js";

/** Another live process has the PGlite folder open (the dev host, usually). */
export class DataDirLockedError extends BaseError {
  static override defaultKind: ErrorKind = "conflict";
  override name = "DataDirLockedError";
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`The PGlite folder ${dataDir} is in use by process ${pid}`, {
      metaMessages: [
        "PGlite is single-process: a second process writing the same folder loses its writes and can corrupt it.",
        "Stop that process, or go through it (its HTTP API), or point DATABASE_URL at a PostgreSQL server.",
      ],
    });
  }
}

/**
 * Takes an exclusive lock on a PGlite data folder for this process: `<folder>.lock` holds our pid.
 * A lock whose process is gone is taken over. Returns the release function (also run on exit).
 */
export function lockDataDir(dataDir: string): () => void {
  const resolved = path.resolve(dataDir);
  const file = `${resolved}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const release = () => {
        process.off("exit", release);
        try {
          if (readFileSync(file, "utf8").trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new DataDirLockedError(resolved, holder);
    }
    // Stale (its process died without releasing): take it over.
    try {
      unlinkSync(file);
    } catch {
      // Someone else took it over first; the next round sees theirs.
    }
  }
  throw new DataDirLockedError(resolved, Number.NaN);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
