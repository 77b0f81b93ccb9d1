// The body of every non-2xx answer of every Offpeak server (the protocol's ApiError, cloud-sync/protocol/api-error.ts,
// whose zod schema is checked against this type). Declared here so the dashboard reads it without restating it.
export interface ApiErrorBody {
  error: {
    /** Stable and machine-readable: `invalid-message`, `not-found`, `bad-signature`, … */
    code: string;
    message: string;
    /** The field at fault, written as its accessor: `intervals[3].wh`, `headers.x-offpeak-signature`. */
    path?: string;
    /** Facts a client can act on, e.g. the ID of the record a conflict is with. */
    details?: Record<string, unknown>;
  };
}
