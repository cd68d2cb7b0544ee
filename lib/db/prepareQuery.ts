import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import { processSingleton } from "../singleton.js";
import type { Database } from "./database.js";

/**
 * Values a prepared statement runs with: each top-level value, and each own value of a plain
 * object, becomes a parameter of the statement. Which ones are undefined (or null, at the top
 * level) is part of the statement's shape: kysely leaves undefined columns out of an insert.
 */
export type PreparedParameters = Record<string, unknown>;

/** A statement built once per shape of its parameters, then run with new values. */
export type PreparedQuery<P extends PreparedParameters, Row> = (
  db: Kysely<Database>,
  parameters: P,
) => Promise<Row[]>;

/**
 * Kysely builds a statement as a tree of frozen nodes and compiles that tree to SQL on every call:
 * ~0.1–0.2 ms of main-thread CPU for the CTEs and sub-selects of the run path (measured: 180 µs for
 * the key with its controls, 90 µs for the accept insert), time every accept of a burst waits for
 * (issue 17). A statement whose SQL depends only on
 * which values are present, not on the values, is built and compiled once per shape here, and
 * then run with its new values in their places.
 *
 * `build` must use the values only as values: pass them to kysely (`where`, `values`, `set`,
 * `eb.val`, `sql` placeholders) and never compute with them, stringify them or put them in
 * identifiers or `sql.lit`. It may branch on whether a value is present (that is the shape), not on
 * what it is: a statement with variants by a flag is one prepareQuery per variant. Anything
 * variable (a clock, an id, a JSON text) comes in as a parameter; arrays whose length shapes the
 * SQL (`in (…)`, multi-row inserts) do not belong here.
 * Each shape is built twice and compared, and a value used other than as a parameter throws at
 * that first build, naming the statement, so a misuse fails the first test that runs it.
 *
 * All of Paygent's dialects (PGlite, node-postgres, Neon) compile to PostgreSQL, so one SQL text
 * per shape serves every database and transaction.
 */
export function prepareQuery<P extends PreparedParameters, Row>(
  name: string,
  build: (db: Kysely<Database>, parameters: P) => Compilable<Row>,
): PreparedQuery<P, Row> {
  const templates = new Map<string, Template>();
  return async (db, parameters) => {
    const shape = shapeOf(parameters);
    let template = templates.get(shape);
    if (!template) {
      template = compileTemplate(name, db, build as Build, parameters);
      templates.set(shape, template);
      preparedTexts.add(template.sql);
    }
    const values = template.slots.map((slot) =>
      slot.kind === "constant" ? slot.value : valueAt(parameters, slot.path),
    );
    const result = await db.executeQuery<Row>(CompiledQuery.raw(template.sql, values));
    return result.rows;
  };
}

/**
 * SQL texts of prepared statements (one per shape); drivers may keep them as named statements.
 * One set per process, not per module copy: the workflow step bundle carries its own copy of this
 * module, and its statements run on the database the host opened (lib/singleton).
 */
const preparedTexts = processSingleton("preparedStatementTexts", () => new Set<string>());

/** Whether `sql` is the text of a prepared statement: the PGlite worker parses those only once. */
export function isPreparedStatementText(sql: string): boolean {
  return preparedTexts.has(sql);
}

type Build = (db: Kysely<Database>, parameters: PreparedParameters) => Compilable<unknown>;

type Slot = { kind: "constant"; value: unknown } | { kind: "value"; path: readonly string[] };

interface Template {
  sql: string;
  slots: Slot[];
}

// NUL never occurs in a PostgreSQL text value, so a marker cannot collide with real data.
const markerPrefix = "\u0000paygent-parameter:";
const markerSuffix = "\u0000";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Which values are present: top-level undefined/null, and a plain object's defined keys, in the
 * order they were written. Not sorted: one call site writes its keys in one order, and another
 * order is only another shape (one more template), never a wrong one, since each value is found
 * by its path. Sorting them cost ~15 µs of the accept's main-thread time (issue 17).
 */
function shapeOf(parameters: PreparedParameters): string {
  let shape = "";
  for (const key in parameters) {
    const value = parameters[key];
    if (value === undefined) shape += `${key}:u;`;
    else if (value === null) shape += `${key}:n;`;
    else if (isPlainObject(value)) {
      shape += `${key}:{`;
      for (const inner in value) if (value[inner] !== undefined) shape += `${inner},`;
      shape += "};";
    } else shape += `${key}:v;`;
  }
  return shape;
}

/** The parameters with each value replaced by a marker naming its path (`round` tells builds apart). */
function markersFor(parameters: PreparedParameters, round: number): PreparedParameters {
  const marker = (path: string[]) => `${markerPrefix}${round}:${path.join(".")}${markerSuffix}`;
  const marked: PreparedParameters = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined || value === null) marked[key] = value;
    else if (isPlainObject(value)) {
      const inner: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) inner[k] = marker([key, k]);
      }
      marked[key] = inner;
    } else marked[key] = marker([key]);
  }
  return marked;
}

function valueAt(parameters: PreparedParameters, path: readonly string[]): unknown {
  const [key, inner] = path;
  const value = parameters[key!];
  return inner === undefined ? value : (value as Record<string, unknown>)[inner];
}

function compileTemplate(
  name: string,
  db: Kysely<Database>,
  build: Build,
  parameters: PreparedParameters,
): Template {
  const fail = (why: string) => {
    throw new Error(`prepareQuery(${name}): ${why}`);
  };
  const builds = [1, 2].map((round) => {
    const compiled = build(db, markersFor(parameters, round)).compile();
    if (compiled.sql.includes(markerPrefix)) fail("a value was written into the SQL text");
    const prefix = `${markerPrefix}${round}:`;
    const slots = compiled.parameters.map((value): Slot => {
      if (typeof value === "string" && value.includes(markerPrefix)) {
        if (!value.startsWith(prefix) || !value.endsWith(markerSuffix)) {
          fail("a value was computed with or stringified instead of passed as a parameter");
        }
        const path = value.slice(prefix.length, -markerSuffix.length).split(".");
        return { kind: "value", path };
      }
      if (value !== null && typeof value === "object") {
        fail("an object or date was built inside the statement: pass it as a parameter");
      }
      return { kind: "constant", value };
    });
    return { sql: compiled.sql, slots };
  });
  const [first, second] = builds as [Template, Template];
  if (first.sql !== second.sql || JSON.stringify(first.slots) !== JSON.stringify(second.slots)) {
    fail("two builds of the same shape differ: something variable is built inside the statement");
  }
  return first;
}
