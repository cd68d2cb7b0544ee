/**
 * The worker thread's program, as source text (worker_threads `eval: true`). Kept as plain
 * CommonJS in a string on purpose: it must load the same way under tsx, vitest and the workflow
 * bundles, none of which can hand a worker a .ts file or a stable path to one.
 *
 * Protocol (messages travel in batches, arrays of calls or answers, matched by id):
 *   {op:"ready"} · {op:"query", sql, params, rowMode, tx?, prepared?, rowsOnly?} · {op:"exec", sql, tx?}
 *   {op:"begin", tx} → tx · {op:"end", tx, commit} · {op:"dump"} → bytes · {op:"close"}
 *   {op:"cpu"} → this thread's CPU time in ms, or null (for the benchmarks)
 * Transaction ids are the caller's, so a begin can travel in the same message as the first call
 * of its transaction (one wake-up of each thread fewer per transaction): calls in a transaction
 * whose begin has not run yet wait for it.
 * Transactions use PGlite's own transaction(): it holds PGlite's exclusive lock from BEGIN to
 * COMMIT/ROLLBACK, so queries outside the transaction wait, exactly as in the main thread.
 *
 * Order: PGlite runs one statement (or transaction) at a time. Calls that take its lock (a query or
 * exec outside a transaction, begin, dump) wait here in two queues and go one at a time,
 * those marked \`first\` (issued while answering an API request) before the others; calls inside an
 * open transaction (and close) go straight through, as they must. Within each queue the order is arrival.
 */
export const pgliteWorkerSource = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");

// Postgres error fields worth keeping across the thread boundary (never the query or its params).
const errorFields = ["code", "detail", "hint", "position", "where", "schema", "table", "column",
  "dataType", "constraint", "severity", "routine"];

let pglite;
let protocol;
let parse;
const ready = (async () => {
  const pgliteModule = await import(workerData.moduleUrl);
  const { PGlite } = pgliteModule;
  protocol = pgliteModule.protocol;
  parse = pgliteModule.parse;
  const options = { dataDir: workerData.dataDir };
  if (workerData.loadDataDir) options.loadDataDir = new Blob([workerData.loadDataDir]);
  pglite = await PGlite.create(options);
})();

const transactions = new Map();
// Transactions whose begin has arrived but not yet run (it waits for PGlite's lock), by id:
// {started, resolve, reject}. Calls in them arrive in the same message as the begin and wait for
// \`started\` (settled when the begin has run or failed).
const beginning = new Map();

function begin(id) {
  let end;
  const ended = new Promise((resolve) => { end = resolve; });
  let begun;
  const started = new Promise((resolve) => { begun = resolve; });
  const rollback = new Error("rollback requested");
  const done = pglite.transaction(async (tx) => {
    transactions.set(id, tx);
    begun();
    // Resolves with true to commit; false throws, so PGlite rolls back.
    if (!(await ended)) throw rollback;
  }).then(
    () => { transactions.delete(id); },
    (error) => { transactions.delete(id); if (error !== rollback) throw error; },
  );
  return { id, started, done, end };
}

const open = new Map();

// Named statements for the SQL texts of prepared queries (prepareQuery): parsed, analysed and
// described once per worker, then only bound and executed, in one call into PGlite instead of six.
// PGlite's query() parses and plans every statement anew, which on the run path's CTEs is most
// of a statement's time. Only texts marked \`prepared\` come here, so the map stays small.
const named = new Map();

function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of parts) { out.set(part, offset); offset += part.length; }
  return out;
}

async function queryNamed(sql, params, rowMode, outsideTransaction) {
  const { serialize } = protocol;
  // PGlite's query lock, as its own query() takes it; the call queue below (or the open
  // transaction, for a call inside one) already keeps every other statement out.
  return pglite.runExclusive(async () => {
    let statement = named.get(sql);
    if (!statement) {
      const name = "paygent_" + (named.size + 1);
      const described = await pglite.execProtocolStream(
        concatBytes([serialize.parse({ name, text: sql }), serialize.describe({ type: "S", name }), serialize.sync()]),
        { syncToFs: false },
      );
      statement = { name, types: parse.parseDescribeStatementResults(described) };
      named.set(sql, statement);
    }
    // Values serialised by the parameter types Postgres inferred, as PGlite's query() does.
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = pglite.serializers[statement.types[i]];
      return serializer ? serializer(value) : value.toString();
    });
    const messages = await pglite.execProtocolStream(
      concatBytes([
        serialize.bind({ statement: statement.name, values }),
        serialize.describe({ type: "P" }),
        serialize.execute({}),
        serialize.sync(),
      ]),
      { syncToFs: false },
    );
    if (outsideTransaction) await pglite.syncToFs();
    return parse.parseResults(messages, pglite.parsers, { rowMode })[0];
  });
}

// Linux keeps each thread's time on a CPU (ns) in schedstat; elsewhere there is no figure.
function threadCpuMs() {
  try {
    return Number(require("node:fs").readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
}

async function handle(message) {
  await ready;
  if (message.op !== "begin" && beginning.has(message.tx)) await beginning.get(message.tx).started;
  switch (message.op) {
    case "ready":
      return null;
    case "query": {
      const target = message.tx ? transactions.get(message.tx) : pglite;
      if (!target) throw new Error("The transaction is closed");
      const result = message.prepared
        ? await queryNamed(message.sql, message.params, message.rowMode, !message.tx)
        : await target.query(message.sql, message.params, { rowMode: message.rowMode });
      // The kysely driver reads rows and counts only: fields would be cloned across for nothing.
      if (message.rowsOnly) return { rows: result.rows, affectedRows: result.affectedRows };
      return { rows: result.rows, affectedRows: result.affectedRows, fields: result.fields };
    }
    case "exec": {
      const target = message.tx ? transactions.get(message.tx) : pglite;
      if (!target) throw new Error("The transaction is closed");
      const results = await target.exec(message.sql);
      return results.map((r) => ({ rows: r.rows, affectedRows: r.affectedRows, fields: r.fields }));
    }
    case "begin": {
      const transaction = begin(message.tx);
      open.set(transaction.id, transaction);
      // BEGIN may fail (closed database): surface that instead of waiting forever.
      await Promise.race([transaction.started, transaction.done]);
      return transaction.id;
    }
    case "end": {
      const transaction = open.get(message.tx);
      if (!transaction) throw new Error("Unknown transaction");
      open.delete(message.tx);
      transaction.end(message.commit);
      await transaction.done;
      return null;
    }
    case "dump": {
      const blob = await pglite.dumpDataDir("none");
      return new Uint8Array(await blob.arrayBuffer());
    }
    case "close":
      await pglite.close();
      return null;
    case "cpu":
      return threadCpuMs();
    default:
      throw new Error("Unknown operation " + message.op);
  }
}

// Answers finished in the same turn go back as one message (one wake-up of the main thread).
let answers = [];
function answer(reply) {
  if (answers.length === 0) queueMicrotask(() => {
    const batch = answers;
    answers = [];
    parentPort.postMessage(batch);
  });
  answers.push(reply);
}

// Calls waiting for PGlite's lock: [first, background]. One runs at a time (\`running\`).
const waiting = [[], []];
let running = false;

function takesLock(message) {
  if (message.op === "query" || message.op === "exec") return !message.tx;
  // close goes straight through: shutting down must not wait behind a transaction left open.
  return message.op === "begin" || message.op === "dump";
}

function runNext() {
  if (running) return;
  const message = waiting[0].shift() || waiting[1].shift();
  if (!message) return;
  running = true;
  const result = handle(message);
  if (message.op === "begin") {
    const { resolve, reject } = beginning.get(message.tx);
    result.then(
      () => { beginning.delete(message.tx); resolve(); },
      (error) => { beginning.delete(message.tx); reject(error); },
    );
  }
  reply(message, result);
  // A transaction holds the lock until it ends, not until BEGIN is answered.
  const held = message.op === "begin"
    ? result.then((tx) => open.get(tx) && open.get(tx).done, () => {})
    : result;
  held.then(next, next);
}

function next() {
  running = false;
  runNext();
}

function reply(message, result) {
  result.then(
    (value) => answer({ id: message.id, ok: true, result: value }),
    (error) => {
      const detail = { message: String(error && error.message ? error.message : error), name: error && error.name };
      for (const key of errorFields) if (error && error[key] !== undefined) detail[key] = error[key];
      answer({ id: message.id, ok: false, error: detail });
    },
  );
}

parentPort.on("message", (batch) => {
  for (const message of batch) {
    if (message.op === "begin") {
      const waiting = {};
      waiting.started = new Promise((resolve, reject) => Object.assign(waiting, { resolve, reject }));
      // Its failure reaches the calls that wait for it (and the begin's own answer).
      waiting.started.catch(() => {});
      beginning.set(message.tx, waiting);
    }
    if (!takesLock(message)) {
      reply(message, handle(message));
      continue;
    }
    waiting[message.first ? 0 : 1].push(message);
  }
  runNext();
});
`;
