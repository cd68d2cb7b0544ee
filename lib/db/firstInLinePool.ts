import type { PostgresPool, PostgresPoolClient } from "kysely";

/**
 * A connection pool whose waiting callers stand in two lines: statements issued while answering an
 * API request (`answeringRequest()`, see lib/world/requestsFirst) get the next free connection
 * before background work (workflow steps, watchers) does. Without it, a burst of accepts waited
 * behind the statements of the steps of runs accepted a moment earlier. Within a line the order is
 * arrival. It never checks out more than `size` connections, so the wrapped pool never queues.
 */
export function firstInLinePool(
  pool: PostgresPool,
  size: number,
  answeringRequest: () => boolean,
): PostgresPool {
  let checkedOut = 0;
  const lines: [(() => void)[], (() => void)[]] = [[], []];

  const takeSlot = async (): Promise<void> => {
    if (checkedOut < size) {
      checkedOut++;
      return;
    }
    // The slot is handed over by giveSlot: checkedOut stays the same.
    await new Promise<void>((resolve) => lines[answeringRequest() ? 0 : 1].push(resolve));
  };
  const giveSlot = (): void => {
    const next = lines[0].shift() ?? lines[1].shift();
    if (next) next();
    else checkedOut--;
  };

  return {
    get options() {
      return pool.options;
    },
    get Client() {
      return pool.Client;
    },
    async connect(): Promise<PostgresPoolClient> {
      await takeSlot();
      let client: PostgresPoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        giveSlot();
        throw error;
      }
      // The pool gives each checkout its own release(); wrap this one (the client object itself
      // must stay the same: kysely keeps its connection state per client).
      const release = client.release;
      client.release = (destroy?: boolean) => {
        client.release = release;
        release.call(client, destroy);
        giveSlot();
      };
      return client;
    },
    end: () => pool.end(),
  };
}
