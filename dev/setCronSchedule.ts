/**
 * `npm run cron:schedule -- "<minute hour day month weekday>"`: sets the schedule of the chain
 * watcher cron (/api/cron/chain) in vercel.json and says which Vercel plan it needs. Vercel reads
 * crons from vercel.json at deploy time only, so the schedule is a committed file, not a variable.
 * Hobby runs a cron at most once a day; Pro allows down to once a minute.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** The cron path the chain watcher and reconcilers answer on. */
export const CHAIN_CRON_PATH = "/api/cron/chain";

/** The default schedule: once a day at 04:00 UTC, which every plan (Hobby included) accepts. */
export const DEFAULT_CHAIN_CRON_SCHEDULE = "0 4 * * *";

/** The Vercel plan a schedule needs. */
export type CronPlan = "hobby" | "pro";

const fieldNames = ["minute", "hour", "day of month", "month", "day of week"];
const fieldRanges: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

/** One field: a comma list of `*`, `n` or `n-m`, each optionally `/step`. */
function isValidField(value: string, [min, max]: [number, number]): boolean {
  return value.split(",").every((part) => {
    const match = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!match) return false;
    const [, , from, to, step] = match;
    const inRange = (n: string | undefined) => n === undefined || (+n >= min && +n <= max);
    return inRange(from) && inRange(to) && (step === undefined || +step >= 1);
  });
}

/** Validates a five-field cron expression (Vercel's syntax: numbers, *, ranges, lists, steps; UTC). */
export function validateCronSchedule(schedule: string): string[] {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5)
    return [`needs 5 fields (minute hour day month weekday), got ${fields.length}`];
  return fields.flatMap((value, i) =>
    isValidField(value, fieldRanges[i]!)
      ? []
      : [
          `${fieldNames[i]} "${value}" is not a number, *, range, list or step within ${fieldRanges[i]!.join("–")}`,
        ],
  );
}

/**
 * Hobby allows at most one run a day: the minute and the hour must each be one fixed number (the
 * day fields may vary, e.g. weekdays only). Anything more frequent needs Pro.
 */
export function cronPlanFor(schedule: string): CronPlan {
  const [minute, hour] = schedule.trim().split(/\s+/);
  const single = (value: string | undefined) => value !== undefined && /^\d{1,2}$/.test(value);
  return single(minute) && single(hour) ? "hobby" : "pro";
}

interface VercelJson {
  crons?: { path: string; schedule: string }[];
  [key: string]: unknown;
}

/** Writes `schedule` for the chain cron into the vercel.json at `file` (adding the entry if missing). */
export function setChainCronSchedule(file: string, schedule: string): void {
  const config = JSON.parse(readFileSync(file, "utf8")) as VercelJson;
  const crons = (config.crons ?? []).filter((cron) => cron.path !== CHAIN_CRON_PATH);
  config.crons = [
    ...crons,
    { path: CHAIN_CRON_PATH, schedule: schedule.trim().split(/\s+/).join(" ") },
  ];
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
}

/** The schedule of the chain cron in the vercel.json at `file`, if any. */
export function readChainCronSchedule(file: string): string | undefined {
  const config = JSON.parse(readFileSync(file, "utf8")) as VercelJson;
  return config.crons?.find((cron) => cron.path === CHAIN_CRON_PATH)?.schedule;
}

const planText: Record<CronPlan, string> = {
  hobby: "at most once a day: works on every Vercel plan, Hobby included",
  pro: "more than once a day: needs Vercel Pro (Hobby refuses to deploy crons that run more than once a day)",
};

/** CLI: prints the current schedule without an argument, sets it with one. Returns the exit code. */
export function main(
  argv: string[],
  io: { out: (text: string) => void; err: (text: string) => void },
  file = path.resolve(import.meta.dirname, "../vercel.json"),
): number {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { default: { type: "boolean" } },
    strict: true,
  });
  const wanted = values.default ? DEFAULT_CHAIN_CRON_SCHEDULE : positionals.join(" ").trim();
  if (!wanted) {
    const current = readChainCronSchedule(file);
    io.out(
      current
        ? `${CHAIN_CRON_PATH} runs on "${current}" (UTC): ${planText[cronPlanFor(current)]}\n`
        : `vercel.json has no cron for ${CHAIN_CRON_PATH}\n`,
    );
    return 0;
  }
  const problems = validateCronSchedule(wanted);
  if (problems.length > 0) {
    io.err(
      `Not a cron schedule: ${problems.join("; ")}\nusage: npm run cron:schedule -- "*/5 * * * *" | --default\n`,
    );
    return 2;
  }
  setChainCronSchedule(file, wanted);
  io.out(
    `${CHAIN_CRON_PATH} now runs on "${wanted}" (UTC): ${planText[cronPlanFor(wanted)]}. Commit vercel.json and redeploy.\n`,
  );
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    process.exitCode = main(process.argv.slice(2), {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
