import { type Kysely, sql } from "kysely";

/**
 * service_subscriptions.price_amount / price_asset: the price a subscription was agreed at (the
 * catalogue's when it was made). A renewal pays at most that: a catalogue price raised since (an
 * admin's update, a Bazaar re-import of a listing the payee controls) ends the subscription rather
 * than being paid. Existing rows take the catalogue's price now, the best record there is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("service_subscriptions")
    .addColumn("price_amount", "numeric(78, 0)")
    .addColumn("price_asset", "text")
    .execute();
  await sql`update service_subscriptions s
    set price_amount = v.price_amount, price_asset = v.price_asset
    from services v
    where v.id = s.service_id and s.price_amount is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("service_subscriptions")
    .dropColumn("price_amount")
    .dropColumn("price_asset")
    .execute();
}
