import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PGliteAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import type { PgliteWorker } from "./startPgliteWorker.js";

/**
 * PGlite's one connection is still one connection, but the lock that serialises it lives in the
 * worker (PGlite's own transaction lock), not in front of it. kysely's PGliteDialect holds a
 * connection lock across every query's round trip to the worker; under load the answer waits in
 * a busy event loop while every other query waits on that lock. Here queries are sent at once and
 * run back to back in the worker; a transaction still holds PGlite's lock from BEGIN to COMMIT,
 * so nothing interleaves with it.
 */
class PgliteWorkerAdapter extends PGliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/** A view on the worker's single session: autocommit queries, or those of one transaction. */
class PgliteWorkerConnection implements DatabaseConnection {
  transaction: number | undefined;

  constructor(private readonly worker: PgliteWorker) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { rows, affectedRows } = await this.worker.queryIn<R>(
      this.transaction,
      compiledQuery.sql,
      compiledQuery.parameters,
    );
    return {
      numAffectedRows: affectedRows != null ? BigInt(affectedRows) : undefined,
      rows: rows ?? [],
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is refused outright, as kysely's PGlite driver does
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("Streaming is not supported by PGlite.");
  }
}

class PgliteWorkerDriver implements Driver {
  constructor(private readonly worker: PgliteWorker) {}

  async init(): Promise<void> {
    await this.worker.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new PgliteWorkerConnection(this.worker);
  }

  async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    if (settings.isolationLevel || settings.accessMode) {
      // One session: every transaction is serialisable already; refuse rather than pretend.
      throw new Error("PGlite worker: isolation level and access mode are not supported");
    }
    (connection as PgliteWorkerConnection).transaction = await this.worker.begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.endTransaction(connection as PgliteWorkerConnection, true);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.endTransaction(connection as PgliteWorkerConnection, false);
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    await this.worker.close();
  }

  private async endTransaction(connection: PgliteWorkerConnection, commit: boolean) {
    const transaction = connection.transaction;
    connection.transaction = undefined;
    if (transaction !== undefined) await this.worker.end(transaction, commit);
  }
}

/** A kysely dialect over a PGlite worker (see startPgliteWorker). */
export class PgliteWorkerDialect implements Dialect {
  constructor(private readonly worker: PgliteWorker) {}

  createAdapter(): DialectAdapter {
    return new PgliteWorkerAdapter();
  }

  createDriver(): Driver {
    return new PgliteWorkerDriver(this.worker);
  }

  // biome-ignore lint/suspicious/noExplicitAny: kysely's own signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}
