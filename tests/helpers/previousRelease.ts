import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The release the redeployment test starts runs on: main before the structure refactor (issue 12)
 * renamed the workflow's steps (prepareRun, executeAction → parse, plan, swap, pay, …). Move it
 * forward when a later release changes the workflow again.
 */
export const PREVIOUS_RELEASE = "bf107bb8a770f20996ee8a852d85532b64ba9909";

const root = path.resolve(import.meta.dirname, "../..");

export interface ExtractedRelease {
  /** A checkout of the release: its sources, this tree's node_modules, its own workflow bundles. */
  root: string;
  commit: string;
  dispose(): void;
}

function git(args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: "pipe" }).trim();
}

function hasCommit(commit: string): boolean {
  try {
    git(["cat-file", "-e", `${commit}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the sources of `commit` into a temporary folder (`git archive`), links this tree's
 * node_modules into it (same dependencies as that release) and builds that release's workflow
 * bundles with its own build script. Needs the git history: a shallow clone first tries to fetch
 * the one commit, then fails with what to do.
 */
export function extractRelease(commit: string = PREVIOUS_RELEASE): ExtractedRelease {
  if (!hasCommit(commit)) {
    try {
      git(["fetch", "--no-tags", "--depth=1", "origin", commit]);
    } catch {}
    if (!hasCommit(commit)) {
      throw new Error(
        `The redeployment test needs the previous release (commit ${commit}) from git history; ` +
          "this clone does not have it. Clone without --depth (or run `git fetch --unshallow`).",
      );
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), "paygent-release-"));
  const dispose = () => rmSync(dir, { recursive: true, force: true });
  try {
    const archive = spawnSync(
      "sh",
      ["-c", `git archive --format=tar ${commit} | tar -x -C "${dir}"`],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr}`);
    symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    const build = spawnSync(
      process.execPath,
      [path.join(root, "node_modules/tsx/dist/cli.mjs"), "dev/buildWorkflows.ts"],
      { cwd: dir, encoding: "utf8" },
    );
    if (build.status !== 0) {
      throw new Error(`workflow build of ${commit} failed:\n${build.stdout}${build.stderr}`);
    }
  } catch (error) {
    dispose();
    throw error;
  }
  return { root: dir, commit, dispose };
}
