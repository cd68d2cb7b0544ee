import { z } from "zod";

/**
 * A row's created_at as a cursor carries it: Postgres's own text form (`2024-01-01
 * 12:00:00.123456+00`, microseconds a JS Date would drop) or ISO 8601, always with an offset so
 * the server's time zone cannot shift it.
 */
const shape =
  /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::(\d{2})(?::(\d{2}))?|(\d{2}))?)$/;

/**
 * True when the date and time exist (no 2024-02-30, no 25:00) and the offset is one Postgres takes
 * (under 16 hours): the shape alone lets through what ::timestamptz refuses with an error.
 */
function isRealInstant(text: string): boolean {
  const match = shape.exec(text);
  if (!match) return false;
  const [, date, time, hours = "0", minutes, seconds = "0", packedMinutes] = match;
  if (Number(hours) > 15 || Number(minutes ?? packedMinutes ?? "0") > 59 || Number(seconds) > 59)
    return false;
  // Postgres has no year 0; Date would take it.
  if (date!.startsWith("0000")) return false;
  // Date rolls an impossible day or hour over (or gives NaN); a real one comes back unchanged.
  const instant = new Date(`${date}T${time}Z`);
  return !Number.isNaN(instant.getTime()) && instant.toISOString().startsWith(`${date}T${time}`);
}

/** The timestamp part of a keyset cursor (see decodeCursor): one Postgres can cast, or refused. */
export const cursorTimestamp = z.string().max(64).refine(isRealInstant, "must be a timestamp");
