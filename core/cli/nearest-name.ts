// "Did you mean …?": the known name closest to a mistyped one (config variables, register-map names).

/** Levenshtein distance: single-character insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * The closest of `names` to `input` (case-insensitively), if it is close enough to be what was meant: by default
 * within two edits, or a third of the input's length for longer names.
 */
export function nearestName(input: string, names: readonly string[], maxDistance = Math.max(2, Math.floor(input.length / 3))): string | undefined {
  const a = input.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const n of names) {
    const d = editDistance(a, n.toLowerCase());
    if (!best || d < best.d) best = { name: n, d };
  }
  return best && best.d <= maxDistance ? best.name : undefined;
}
