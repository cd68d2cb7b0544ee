/**
 * The worker thread's program, as source text (worker_threads `eval: true`). Kept as plain
 * CommonJS in a string on purpose: it must load the same way under tsx, vitest and the workflow
 * bundles, none of which can hand a worker a .ts file or a stable path to one.
 *
 * Protocol (messages travel in batches, arrays of calls or answers, matched by id):
 *   {op:"ready"} · {op:"query", sql, params, rowMode, tx?} · {op:"exec", sql, tx?}
 *   {op:"begin"} → txId · {op:"end", tx, commit} · {op:"dump"} → bytes · {op:"close"}
 * Transactions use PGlite's own transaction(): it holds PGlite's exclusive lock from BEGIN to
 * COMMIT/ROLLBACK, so queries outside the transaction wait, exactly as in the main thread.
 */
export const pgliteWorkerSource = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");

// Postgres error fields worth keeping across the thread boundary (never the query or its params).
const errorFields = ["code", "detail", "hint", "position", "where", "schema", "table", "column",
  "dataType", "constraint", "severity", "routine"];

let pglite;
const ready = (async () => {
  const { PGlite } = await import(workerData.moduleUrl);
  const options = { dataDir: workerData.dataDir };
  if (workerData.loadDataDir) options.loadDataDir = new Blob([workerData.loadDataDir]);
  pglite = await PGlite.create(options);
})();

let nextTransaction = 1;
const transactions = new Map();

function begin() {
  const id = nextTransaction++;
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

async function handle(message) {
  await ready;
  switch (message.op) {
    case "ready":
      return null;
    case "query": {
      const target = message.tx ? transactions.get(message.tx) : pglite;
      if (!target) throw new Error("The transaction is closed");
      const result = await target.query(message.sql, message.params, { rowMode: message.rowMode });
      return { rows: result.rows, affectedRows: result.affectedRows, fields: result.fields };
    }
    case "exec": {
      const target = message.tx ? transactions.get(message.tx) : pglite;
      if (!target) throw new Error("The transaction is closed");
      const results = await target.exec(message.sql);
      return results.map((r) => ({ rows: r.rows, affectedRows: r.affectedRows, fields: r.fields }));
    }
    case "begin": {
      const transaction = begin();
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

parentPort.on("message", (batch) => {
  for (const message of batch) {
    handle(message).then(
      (result) => answer({ id: message.id, ok: true, result }),
      (error) => {
        const detail = { message: String(error && error.message ? error.message : error), name: error && error.name };
        for (const key of errorFields) if (error && error[key] !== undefined) detail[key] = error[key];
        answer({ id: message.id, ok: false, error: detail });
      },
    );
  }
});
`;
