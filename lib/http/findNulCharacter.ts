/** A value met while looking for NUL, linked to its parent so a path is built only when needed. */
interface Visit {
  value: unknown;
  key: string | undefined;
  parent: Visit | undefined;
}

function pathOf(visit: Visit, last?: string): string[] {
  const path: string[] = last === undefined ? [] : [last];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * The path of the first string (or object key) holding U+0000, or undefined when none does.
 * Walks with its own stack and parent links (no path copies): a signed webhook body is parsed
 * without the depth limit of JSON bodies.
 */
export function findNulCharacter(value: unknown): string[] | undefined {
  const stack: Visit[] = [{ value, key: undefined, parent: undefined }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    if (typeof visit.value === "string") {
      if (visit.value.includes("\u0000")) return pathOf(visit);
      continue;
    }
    if (visit.value === null || typeof visit.value !== "object") continue;
    const entries = Object.entries(visit.value);
    // A key is shown escaped: the path goes back to the client in the message.
    const badKey = entries.find(([key]) => key.includes("\u0000"))?.[0];
    if (badKey !== undefined) return pathOf(visit, badKey.replaceAll("\u0000", "\\u0000"));
    // Pushed in reverse so the first field in the document is reported first.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      stack.push({ value: child, key, parent: visit });
    }
  }
  return undefined;
}
