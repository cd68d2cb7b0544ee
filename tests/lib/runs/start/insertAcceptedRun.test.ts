import { afterAll, describe, expect, test } from "vitest";
import { StaleKeyControlsError } from "../../../../lib/auth/keyControlsCache.js";
import { newId } from "../../../../lib/ids.js";
import { insertAcceptedRun } from "../../../../lib/runs/start/insertAcceptedRun.js";
import { newSessionRow } from "../../../../lib/sessions/createSession.js";
import { closeSharedNeonBridge, createTestDb, databaseDrivers } from "../../../helpers/db.js";

const drivers = await databaseDrivers();
afterAll(() => closeSharedNeonBridge());

const principal = { keyId: "auth-disabled", role: "admin", scope: "admin" } as const;

function runRow(sessionId: string, idempotencyKey: string | null) {
  return {
    id: newId("run"),
    session_id: sessionId,
    command: "what's my balance",
    status: "running" as const,
    idempotency_key: idempotencyKey,
  };
}

describe.each(drivers)("insertAcceptedRun on $driver", ({ driver, available }) => {
  test.skipIf(!available)(
    "session, run and run.accepted are written together; a taken idempotency key leaves nothing behind",
    async () => {
      const { db, dispose } = await createTestDb(driver);
      try {
        const key = `k-${newId("run")}`;
        const session = newSessionRow({ principal });
        const first = runRow(session.id!, key);
        const run = await insertAcceptedRun(db, {
          run: first,
          newSession: session,
          acceptedData: { command: first.command, sessionId: session.id },
        });
        expect(run).toMatchObject({ id: first.id, session_id: session.id, status: "running" });
        const events = await db
          .selectFrom("run_events")
          .selectAll()
          .where("run_id", "=", first.id)
          .execute();
        expect(events.map((e) => [e.type, e.dedupe_key])).toEqual([
          ["run.accepted", `${first.id}:accepted`],
        ]);

        // The same key again, with a session of its own: the whole statement fails, so neither the
        // second session nor its run or event exists.
        const loserSession = newSessionRow({ principal });
        const loser = runRow(loserSession.id!, key);
        expect(
          await insertAcceptedRun(db, { run: loser, newSession: loserSession, acceptedData: {} }),
        ).toBeUndefined();
        const stray = await db
          .selectFrom("agent_sessions")
          .select("id")
          .where("id", "=", loserSession.id!)
          .execute();
        expect(stray).toEqual([]);
        expect(
          await db.selectFrom("run_events").select("id").where("run_id", "=", loser.id).execute(),
        ).toEqual([]);

        // Joining an existing session writes no session row.
        const joined = runRow(session.id!, null);
        expect(await insertAcceptedRun(db, { run: joined, acceptedData: {} })).toMatchObject({
          id: joined.id,
          session_id: session.id,
        });

        // A run naming a session that does not exist is refused by the foreign key, and nothing stays.
        const orphan = runRow("ses_missing", null);
        await expect(insertAcceptedRun(db, { run: orphan, acceptedData: {} })).rejects.toThrow(
          /foreign key/,
        );
        expect(
          await db.selectFrom("runs").select("id").where("id", "=", orphan.id).execute(),
        ).toEqual([]);
      } finally {
        await dispose();
      }
    },
  );

  test.skipIf(!available)(
    "error: a run read under an older key_controls_version is refused, and nothing of it is written",
    async () => {
      const { db, dispose } = await createTestDb(driver);
      try {
        const current = async () =>
          String(
            (
              await db
                .selectFrom("key_controls_version")
                .select("version")
                .executeTakeFirstOrThrow()
            ).version,
          );
        const readAt = await current();
        const session = newSessionRow({ principal });
        const accepted = { ...runRow(session.id!, null), controls_version: readAt };
        const run = await insertAcceptedRun(db, {
          run: accepted,
          newSession: session,
          acceptedData: {},
        });
        expect(String(run?.controls_version)).toBe(readAt);

        // A freeze (any write to the key's controls) bumps the version: a run decided on the read
        // before it fails as a whole, session and event included.
        await db.insertInto("freezes").values({ target: "wallet", reason: "test" }).execute();
        expect(BigInt(await current())).toBe(BigInt(readAt) + 1n);
        const staleSession = newSessionRow({ principal });
        const stale = { ...runRow(staleSession.id!, null), controls_version: readAt };
        await expect(
          insertAcceptedRun(db, { run: stale, newSession: staleSession, acceptedData: {} }),
        ).rejects.toBeInstanceOf(StaleKeyControlsError);
        expect(
          await db.selectFrom("runs").select("id").where("id", "=", stale.id).execute(),
        ).toEqual([]);
        expect(
          await db
            .selectFrom("agent_sessions")
            .select("id")
            .where("id", "=", staleSession.id!)
            .execute(),
        ).toEqual([]);
        expect(
          await db.selectFrom("run_events").select("id").where("run_id", "=", stale.id).execute(),
        ).toEqual([]);

        // Read again: accepted. A run without a version (no key) is not checked.
        const fresh = { ...runRow(session.id!, null), controls_version: await current() };
        expect(await insertAcceptedRun(db, { run: fresh, acceptedData: {} })).toBeDefined();
        const unchecked = runRow(session.id!, null);
        expect(await insertAcceptedRun(db, { run: unchecked, acceptedData: {} })).toBeDefined();

        // Without its version row nothing read with a version is accepted.
        const last = await current();
        await db.deleteFrom("key_controls_version").execute();
        const orphaned = { ...runRow(session.id!, null), controls_version: last };
        await expect(
          insertAcceptedRun(db, { run: orphaned, acceptedData: {} }),
        ).rejects.toBeInstanceOf(StaleKeyControlsError);
      } finally {
        await dispose();
      }
    },
  );
});
