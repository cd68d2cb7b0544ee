import { BaseError, type BaseErrorOptions, type ErrorKind } from "../errors/index.js";

/**
 * How deep JSON from another server (a payee's 402 terms and receipt, an MCP tool's answer, a
 * discovery listing) may nest. Honest x402 documents stay far below it; a hostile one nested
 * thousands of levels deep parses, but JSON.stringify (storableJson, every jsonb write) then
 * overflows the stack at about 4,000 levels, and Postgres refuses deeper jsonb still ("stack
 * depth limit exceeded").
 */
export const MAX_REMOTE_JSON_DEPTH = 64;

/** Remote JSON refused before parsing: larger than its byte limit or nested too deeply. */
export class JsonLimitError extends BaseError {
  static override defaultKind: ErrorKind = "invalid";
  override name = "JsonLimitError";
  readonly limit: "bytes" | "depth";
  constructor(limit: "bytes" | "depth", message: string, options: BaseErrorOptions = {}) {
    super(message, options);
    this.limit = limit;
  }
}

/** Limits of parseBoundedJson. */
export interface JsonLimits {
  /** UTF-8 size of the text. */
  maxBytes: number;
  /** Arrays and objects open at once; MAX_REMOTE_JSON_DEPTH by default. */
  maxDepth?: number;
}

/**
 * JSON.parse for text another server controls, refusing (JsonLimitError) text above
 * `maxBytes` or nesting deeper than `maxDepth` before JSON.parse sees it: the depth is counted by
 * one scan of the text ([ and { outside strings), so a deep document is never built, validated or
 * stored. Invalid JSON throws JSON.parse's SyntaxError as before; anything within the limits
 * parses exactly as JSON.parse parses it.
 */
export function parseBoundedJson(text: string, limits: JsonLimits): unknown {
  const maxDepth = limits.maxDepth ?? MAX_REMOTE_JSON_DEPTH;
  // A UTF-16 unit is at least one UTF-8 byte: the length alone refuses most oversized text.
  if (text.length > limits.maxBytes || Buffer.byteLength(text, "utf8") > limits.maxBytes) {
    throw new JsonLimitError("bytes", `JSON is larger than ${limits.maxBytes} bytes`);
  }
  if (nestsDeeperThan(text, maxDepth)) {
    throw new JsonLimitError("depth", `JSON is nested deeper than ${maxDepth} levels`);
  }
  return JSON.parse(text);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether more than `maxDepth` arrays and objects are ever open at once. Brackets inside strings
 * (and a quote escaped inside one) do not count. Exact for valid JSON; for invalid JSON it only
 * has to stop early, since JSON.parse refuses that text anyway.
 */
function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH)
        i++; // the escaped character, whatever it is, is not the end
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
