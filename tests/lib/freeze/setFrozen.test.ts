import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createKey } from "../../../lib/auth/createKey.js";
import { assertNotFrozen, findFreeze } from "../../../lib/freeze/assertNotFrozen.js";
import { FrozenError } from "../../../lib/freeze/errors.js";
import { setFrozen } from "../../../lib/freeze/setFrozen.js";
import { createEndpoint } from "../../../lib/notifications/createEndpoint.js";
import { deliverDueNotifications } from "../../../lib/notifications/deliverDueNotifications.js";
import { createTestDb, type TestDb } from "../../helpers/db.js";

let testDb: TestDb;

beforeAll(async () => {
  testDb = await createTestDb("pglite");
});

afterAll(async () => {
  await testDb?.dispose();
});

describe("freezes", () => {
  test("behavior: a frozen key gets 423 (code frozen, kind refused) until unfrozen; other keys are unaffected", async () => {
    const endpoint = await createEndpoint(testDb.db, {
      url: "http://127.0.0.1:9/f",
      events: ["key.frozen"],
      allowPrivate: true,
    });
    const key = await createKey(testDb.db, { name: "bot", role: "agent" });
    const other = await createKey(testDb.db, { name: "other", role: "agent" });
    const frozen = await setFrozen(testDb.db, {
      target: { keyId: key.id },
      frozen: true,
      reason: "suspicious",
      by: "key_admin",
    });
    expect(frozen).toMatchObject({ target: `key:${key.id}`, frozen: true, changed: true });
    expect((await setFrozen(testDb.db, { target: { keyId: key.id }, frozen: true })).changed).toBe(
      false,
    );
    const error = await assertNotFrozen(testDb.db, { keyId: key.id }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FrozenError);
    expect(error).toMatchObject({
      status: 423,
      code: "frozen",
      kind: "refused",
      shortMessage: `API key ${key.id} is frozen (suspicious): no money moves until an admin unfreezes it`,
    });
    await assertNotFrozen(testDb.db, { keyId: other.id });
    expect((await setFrozen(testDb.db, { target: { keyId: key.id }, frozen: false })).changed).toBe(
      true,
    );
    await assertNotFrozen(testDb.db, { keyId: key.id });
    const events = await testDb.db
      .selectFrom("notification_deliveries")
      .select("body")
      .where("endpoint_id", "=", endpoint.id)
      .execute();
    expect(events.map((e) => JSON.parse(e.body).data)).toMatchObject([
      { scope: "key", keyId: key.id, reason: "suspicious", by: "key_admin" },
    ]);
    // The outbox drains on the embedded database too (port 9 refuses: one logged attempt, retried).
    expect(await deliverDueNotifications(testDb.db, { allowPrivate: true })).toEqual({
      attempted: 1,
      delivered: 0,
      retrying: 1,
      failed: 0,
    });
  });

  test("behavior: a frozen wallet stops every key, and keyless callers", async () => {
    const key = await createKey(testDb.db, { name: "bot", role: "agent" });
    await setFrozen(testDb.db, { target: "wallet", frozen: true, reason: "incident" });
    await expect(assertNotFrozen(testDb.db, { keyId: key.id })).rejects.toMatchObject({
      status: 423,
      target: "wallet",
    });
    await expect(assertNotFrozen(testDb.db, {})).rejects.toMatchObject({
      shortMessage:
        "The agent wallet is frozen (incident): no money moves until an admin unfreezes it",
    });
    await setFrozen(testDb.db, { target: "wallet", frozen: false });
    expect(await findFreeze(testDb.db, { keyId: key.id })).toBeUndefined();
  });

  test("error: freezing an unknown key is 404", async () => {
    await expect(
      setFrozen(testDb.db, { target: { keyId: "key_nope" }, frozen: true }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
