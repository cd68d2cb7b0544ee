/**
 * Whether a value already parsed from remote JSON (an MCP tool's answer, which the MCP SDK parses
 * itself) holds more than `maxDepth` arrays and objects inside one another: the check
 * parseBoundedJson makes on text, for when the text never reaches us. Walks with its own stack,
 * so a value thousands of levels deep is answered, not a stack overflow.
 */
export function isNestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    if (visit.value === null || typeof visit.value !== "object") continue;
    const depth = visit.depth + 1;
    if (depth > maxDepth) return true;
    for (const child of Object.values(visit.value)) stack.push({ value: child, depth });
  }
  return false;
}
