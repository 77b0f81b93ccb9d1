// Errors of the hub↔utility protocol. Every refusal names the field at fault (as a path like
// `intervals[3].wh`), so a 400 from the utility or a bad answer on the hub points straight at the bug.
import { z } from "zod";

import type { ErrorBody } from "./api-error.ts";

export interface ProtocolIssue { path: string; message: string }

export type ProtocolErrorCode = "invalid-message" | "unsupported-version";

/** A message that does not match its schema, or speaks a version this side does not. */
export class ProtocolError extends Error {
  constructor(
    readonly messageName: string,
    readonly code: ProtocolErrorCode,
    readonly issues: readonly ProtocolIssue[],
  ) {
    const first = issues[0];
    const where = first && first.path ? `${first.path}: ` : "";
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1, 4).map((i) => i.path || "(root)").join(", ")})` : "";
    super(`invalid ${messageName}: ${where}${first?.message ?? "unknown problem"}${more}`);
    this.name = "ProtocolError";
  }

  /** The path of the first field at fault (`""` for the message as a whole). */
  get path(): string { return this.issues[0]?.path ?? ""; }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.path ? { path: this.path } : {}) } };
  }
}

/** Renders a zod path as `a.b[2].c`, the way a developer would write the accessor. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

export function issuesOf(error: z.ZodError): ProtocolIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}
