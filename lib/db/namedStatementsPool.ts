import { createHash } from "node:crypto";
import type pg from "pg";
import { log } from "../log.js";
import { isPreparedStatementText } from "./prepareQuery.js";

/**
 * node-postgres, as kysely calls it (`client.query(text, values)`), has Postgres parse and plan
 * every statement anew. The run path's statements are built once per shape (prepareQuery); this
 * pool runs those as named statements, which each connection parses and plans once. Measured
 * (issue 17): the accept's statement 1.24–1.54 ms unnamed against 0.80–1.02 ms named, one
 * connection, sequentially; 50 concurrent accepts on Postgres + Redis, POST → 202 p95 median of
 * bursts 106 against 149 ms (`npm run bench runs -- --backings=postgres,postgres+pgunnamed`).
 * Other SQL passes as is, and so does everything inside a transaction (see below).
 *
 * What a name can meet, each refused by Postgres at Parse or Bind, before anything runs, and each
 * then made again at once (statements are named only outside a transaction, so no transaction has
 * failed with it):
 * - a named `select *` or `returning *` whose table a migration has since given a new column
 *   ("cached plan must not change result type", a host outliving a migration): the connection's
 *   names move to a new generation, parsed afresh;
 * - a server that does not keep a connection's names: a pooler in transaction mode (PgBouncer
 *   before 1.21, or without max_prepared_statements) hands the next statement to another server
 *   connection, where the name is missing or another client's. The pool then sends everything
 *   unnamed from then on, and says so once in the log.
 */
export function namedStatementsPool(pool: pg.Pool): pg.Pool {
  const naming: PoolNaming = { on: true };
  // pg-pool announces each new connection once, before handing it out.
  pool.on("connect", (client) => nameStatementsOf(client as unknown as NodePostgresClient, naming));
  return pool;
}

/** Whether the pool still names statements (off for good once the server lost a name). */
interface PoolNaming {
  on: boolean;
}

/** What this file uses of a node-postgres client beyond kysely's PostgresPoolClient. */
interface NodePostgresClient {
  query(text: unknown, values?: unknown): Promise<unknown> | unknown;
  /** "I" idle, "T" in a transaction, "E" in a failed one (node-postgres ≥ 8.17). */
  getTransactionStatus?(): string | null;
}

function nameStatementsOf(client: NodePostgresClient, naming: PoolNaming): void {
  const query = client.query.bind(client);
  let generation = 0;
  const named = (text: string, values: unknown) =>
    query({ name: statementName(text, generation), text, values }) as Promise<unknown>;
  client.query = (text: unknown, values?: unknown) => {
    if (
      typeof text !== "string" ||
      !naming.on ||
      !isPreparedStatementText(text) ||
      // Inside a transaction a refusal would fail it: name only what can simply be sent again.
      client.getTransactionStatus?.() !== "I"
    )
      return query(text, values);
    return named(text, values).catch((error: unknown) => {
      if (isStaleResultType(error)) {
        generation++;
        return named(text, values);
      }
      if (isNameNotKept(error)) {
        if (naming.on) {
          naming.on = false;
          log.warn(
            "the database did not keep a named statement (a pooler in transaction mode?); statements are sent unnamed from now on",
            { code: (error as { code?: string }).code },
          );
        }
        return query(text, values);
      }
      throw error;
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

/**
 * One of our names missing on the server connection (26000), or there already, as another
 * client's (42P05): the connection is not the one that parsed it.
 */
function isNameNotKept(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  return (code === "26000" || code === "42P05") && /"paygent_[0-9a-f]{24}_\d+"/.test(message ?? "");
}
