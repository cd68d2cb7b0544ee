import type { Kysely } from "kysely";

/** Our run ids are minted before the workflow starts; keep the Workflow DevKit run id beside them. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("runs").addColumn("workflow_run_id", "text").execute();
  await db.schema.alterTable("runs").addColumn("api_key_id", "text").execute();
  await db.schema
    .createIndex("runs_workflow_run_idx")
    .on("runs")
    .column("workflow_run_id")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("runs")
    .dropColumn("workflow_run_id")
    .dropColumn("api_key_id")
    .execute();
}
