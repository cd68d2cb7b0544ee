import { createHash } from "node:crypto";
import type pg from "pg";
import { isPreparedStatementText } from "./prepareQuery.js";

/**
 * node-postgres, as kysely calls it (`client.query(text, values)`), has Postgres parse and plan
 * every statement anew. The run path's statements are built once per shape (prepareQuery); this
 * pool runs those as named statements, which each connection parses and plans once. Measured
 * (issue 17): the accept's statement 1.24–1.54 ms unnamed against 0.80–1.02 ms named, one
 * connection, sequentially; a burst of 50 accepts on Postgres + Redis, POST → 202 p95 147 against
 * 126 ms (`npm run bench accept -- --modifier=pgnamed --backings=postgres`). Other SQL passes as is.
 * Opt-in (PG_NAMED_STATEMENTS) until a chaos failure seen with it on is explained (README).
 *
 * A named statement's result columns are fixed when it is parsed: after a migration adds a column,
 * Postgres refuses a named `select *` or `returning *` with "cached plan must not change result
 * type" until the name is parsed again (a host that outlives a migration, as in a rolling deploy).
 * On that error the connection's names move to a new generation, so the next call parses afresh;
 * outside a transaction that call is made at once; inside one the transaction has already failed,
 * and the error goes to its caller, whose retry finds the new name.
 */
export function namedStatementsPool(pool: pg.Pool): pg.Pool {
  // pg-pool announces each new connection once, before handing it out.
  pool.on("connect", (client) => nameStatementsOf(client as unknown as NodePostgresClient));
  return pool;
}

/** What this file uses of a node-postgres client beyond kysely's PostgresPoolClient. */
interface NodePostgresClient {
  query(text: unknown, values?: unknown): Promise<unknown> | unknown;
  /** "I" idle, "T" in a transaction, "E" in a failed one (node-postgres ≥ 8.17). */
  getTransactionStatus?(): string | null;
}

function nameStatementsOf(client: NodePostgresClient): void {
  const query = client.query.bind(client);
  let generation = 0;
  const run = (text: string, values: unknown) =>
    query({ name: statementName(text, generation), text, values });
  client.query = (text: unknown, values?: unknown) => {
    if (typeof text !== "string" || !isPreparedStatementText(text)) return query(text, values);
    return (run(text, values) as Promise<unknown>).catch((error: unknown) => {
      if (!isStaleResultType(error)) throw error;
      generation++;
      if (client.getTransactionStatus?.() !== "I") throw error;
      return run(text, values);
    });
  };
}

/** Each prepared text's digest, computed once: the texts are few and run on every step. */
const digests = new Map<string, string>();

function statementName(text: string, generation: number): string {
  let digest = digests.get(text);
  if (!digest) {
    digest = createHash("sha1").update(text).digest("hex").slice(0, 24);
    digests.set(text, digest);
  }
  return `paygent_${digest}_${generation}`;
}

/** Postgres' refusal of a named statement whose table gained or lost a column since it was parsed. */
function isStaleResultType(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return code === "0A000" && /cached plan must not change result type/.test(message ?? "");
}
