import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { PGlite, PGliteQueryOptions, PGliteQueryResults, PGliteTransaction } from "kysely";
import { BaseError } from "../../errors/index.js";
import { isPreparedStatementText } from "../prepareQuery.js";
import { pgliteWorkerSource } from "./pgliteWorkerSource.js";

export interface StartPgliteWorkerParameters {
  /** Data directory (its parent must exist); omit for an in-memory database. */
  dataDir?: string;
  /** A dumped data directory (tarball bytes) to start from, e.g. a migrated snapshot. */
  loadDataDir?: Uint8Array;
  /**
   * Whether a statement issued now serves an API request in hand: such statements (and
   * transactions) run before queued background ones (lib/world/requestsFirst).
   */
  answeringRequest?: () => boolean;
  /**
   * Run the texts of prepared queries (lib/db/prepareQuery) as named statements, parsed and planned
   * once (default true).
   */
  namedStatements?: boolean;
}

/** A Postgres error raised in the worker, with its SQLSTATE and fields (never the query's params). */
export class PgliteWorkerError extends BaseError {
  override name = "PgliteWorkerError";
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  column?: string;
  severity?: string;
}

/** The worker died or was closed: no query can run any more. */
export class PgliteWorkerGoneError extends BaseError {
  override name = "PgliteWorkerGoneError";
  static override defaultKind = "fatal" as const;
}

interface Answer {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { message: string; name?: string } & Record<string, unknown>;
}

/** A PGlite database whose engine runs in a worker thread, so its queries leave the event loop. */
export interface PgliteWorker extends PGlite {
  /** The data directory as a tarball (pglite's dumpDataDir, uncompressed). */
  dumpDataDir(): Promise<Uint8Array>;
  /**
   * Opens a transaction and returns its id for queryIn and end. Lower level than transaction():
   * for a kysely driver. The BEGIN goes to the worker with the transaction's first query (in the
   * same message), which then waits while another transaction holds PGlite's lock.
   */
  begin(): Promise<number>;
  /**
   * CPU time the worker thread has used so far (ms), from Linux's per-thread schedstat; null where
   * the system has none. The benchmarks split a run's CPU by thread with it.
   */
  threadCpuMs(): Promise<number | null>;
  /** Commits (or rolls back) a transaction begun with begin(). */
  end(transaction: number, commit: boolean): Promise<void>;
  /**
   * A query inside a transaction begun with begin(), or outside any (undefined): object rows and
   * the affected count only, no field descriptions (what a kysely driver reads).
   */
  queryIn<T>(
    transaction: number | undefined,
    sql: string,
    params: readonly unknown[],
  ): Promise<Pick<PGliteQueryResults<T>, "rows" | "affectedRows">>;
}

/**
 * Starts PGlite in a worker thread and returns an object kysely's PGliteDialect accepts in place of
 * a PGlite instance. Queries, transactions and errors keep PGlite's semantics: one connection,
 * a transaction holds it from BEGIN to COMMIT (other queries wait), SQLSTATE codes survive.
 */
export function startPgliteWorker(parameters: StartPgliteWorkerParameters = {}): PgliteWorker {
  const bytes = parameters.loadDataDir;
  const first = parameters.answeringRequest ?? (() => false);
  const namedStatements = parameters.namedStatements ?? true;
  const worker = new Worker(pgliteWorkerSource, {
    eval: true,
    workerData: {
      moduleUrl: pgliteModuleUrl(),
      dataDir: parameters.dataDir,
      loadDataDir: bytes,
    },
  });
  // Unreferenced while idle, so an open database never keeps a finished process alive;
  // referenced while a call is in flight, so awaiting a query does.
  worker.unref();
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let gone: Error | undefined;

  worker.on("message", (answers: Answer[]) => {
    for (const answer of answers) {
      const call = pending.get(answer.id);
      if (!call) continue;
      pending.delete(answer.id);
      if (answer.ok) call.resolve(answer.result);
      else call.reject(toError(answer.error!));
    }
    if (pending.size === 0) worker.unref();
  });
  const fail = (error: Error) => {
    gone ??= new PgliteWorkerGoneError("The embedded database's worker thread stopped", {
      cause: error,
    });
    for (const call of pending.values()) call.reject(gone);
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`worker exited with code ${code}`)));

  let outbox: Record<string, unknown>[] = [];
  const flush = () => {
    const batch = outbox;
    outbox = [];
    worker.postMessage(batch);
  };
  const call = <T>(message: Record<string, unknown>): Promise<T> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    if (pending.size === 0) worker.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      // Calls made in the same turn travel as one message: each postMessage wakes the other
      // thread, which costs more than serialising a few more queries (see pgliteWorkerSource).
      if (outbox.length === 0) queueMicrotask(flush);
      outbox.push({ ...message, id });
    });
  };

  const query = <T>(
    sql: string,
    params: unknown[] | undefined,
    options: PGliteQueryOptions | undefined,
    tx?: number,
    rowsOnly = false,
  ): Promise<PGliteQueryResults<T>> => {
    if (options?.parsers || options?.blob || options?.paramTypes) {
      return Promise.reject(
        new Error("PGlite worker: parsers, blob and paramTypes are not supported"),
      );
    }
    return call({
      op: "query",
      sql,
      params: params ?? [],
      rowMode: options?.rowMode,
      tx,
      first: first(),
      ...(rowsOnly ? { rowsOnly: true } : {}),
      // A prepared query's text runs as a named statement in the worker (parsed once).
      ...(namedStatements && isPreparedStatementText(sql) ? { prepared: true } : {}),
    });
  };

  // Transaction ids are ours (the worker takes them as given). A begin is not sent on its own:
  // it travels with the transaction's first call, in the same message (see pgliteWorkerSource).
  let nextTransaction = 1;
  const unsent = new Map<number, { first: boolean }>();
  const sendBegin = (tx: number) => {
    const begin = unsent.get(tx);
    if (!begin) return;
    unsent.delete(tx);
    // Its failure reaches the transaction's first call, which waits for it in the worker.
    call({ op: "begin", tx, first: begin.first }).catch(() => {});
  };

  const handle: PgliteWorker = {
    closed: false,
    ready: false,
    waitReady: Promise.resolve(),
    query: (sql, params, options) => query(sql, params, options),
    async transaction<T>(callback: (tx: PGliteTransaction) => Promise<T>): Promise<T> {
      const tx = await call<number>({ op: "begin", tx: nextTransaction++, first: first() });
      let ended = false;
      const end = async (commit: boolean) => {
        if (ended) return;
        ended = true;
        await call({ op: "end", tx, commit });
      };
      const transaction: PGliteTransaction = {
        query: (sql, params, options) => {
          if (ended) return Promise.reject(new Error("The transaction is closed"));
          return query(sql, params, options, tx);
        },
        rollback: () => end(false),
      };
      let result: T;
      try {
        result = await callback(transaction);
      } catch (error) {
        await end(false).catch(() => {});
        throw error;
      }
      await end(true);
      return result;
    },
    async close() {
      if (handle.closed) return;
      handle.closed = true;
      try {
        if (!gone) await call({ op: "close" });
      } finally {
        await worker.terminate();
      }
    },
    dumpDataDir: () => call<Uint8Array>({ op: "dump" }),
    threadCpuMs: () => call<number | null>({ op: "cpu" }),
    async begin() {
      if (gone) throw gone;
      const tx = nextTransaction++;
      unsent.set(tx, { first: first() });
      return tx;
    },
    async end(transaction, commit) {
      // A transaction that ran nothing was never begun in the worker: nothing to end.
      if (unsent.delete(transaction)) return;
      await call({ op: "end", tx: transaction, commit });
    },
    queryIn: (transaction, sql, params) => {
      if (transaction !== undefined) sendBegin(transaction);
      return query(sql, [...params], { rowMode: "object" }, transaction, true);
    },
  };
  handle.waitReady = call({ op: "ready" }).then(() => {
    handle.ready = true;
  });
  // Whoever awaits waitReady sees the failure; do not also report it as unhandled.
  handle.waitReady.catch(() => {});
  return handle;
}

/** PGlite's module, resolved from the project (the worker has no importer of its own). */
function pgliteModuleUrl(): string {
  const require = createRequire(path.join(process.cwd(), "package.json"));
  return pathToFileURL(require.resolve("@electric-sql/pglite")).href;
}

function toError(detail: NonNullable<Answer["error"]>): PgliteWorkerError {
  const { message, name: _name, ...fields } = detail;
  const error = new PgliteWorkerError(message);
  Object.assign(error, fields);
  return error;
}
