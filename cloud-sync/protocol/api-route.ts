// One declaration per HTTP route (issue 14): method, path, operationId, who may call it, the zod schemas of its
// path and query parameters, body and answer, and every error status it can answer. `ApiRoutes.on` mounts the
// handler on Hono AND validates the parameters, query and body with those same schemas before the handler runs, and
// openapi-document.ts renders the same declarations: the document cannot describe a route other than the server runs.
import type { Context, Env, Hono, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { ApiError } from "./api-error.ts";
import { formatPath } from "./errors.ts";
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from "./read-body.ts";

/**
 * Who may call a route; each is one security scheme of the document (openapi-document.ts). `hub-signature`: an
 * Ed25519-signed hub request (signing.ts); `clearinghouse`: the clearinghouse pushing to a utility; `utility`: a
 * registered utility calling the clearinghouse; `utility-signed`: the same, and the request is also signed with the
 * utility's registered Ed25519 key (roaming token changes); `clearinghouse-operator`: registering utilities.
 */
export type ApiAuth = "none" | "operator" | "customer" | "hub-signature" | "clearinghouse" | "utility" | "utility-signed" | "clearinghouse-operator";

export type HttpMethod = "get" | "post" | "put" | "delete";

/** The error statuses a route may declare, each described in the document with the one error body. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 421 | 422 | 429 | 500 | 502 | 503;

type ObjectSchema = z.ZodObject;

export interface ApiRouteSpec<
  P extends ObjectSchema | undefined = ObjectSchema | undefined,
  Q extends ObjectSchema | undefined = ObjectSchema | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** OpenAPI form: `/v1/operator/sessions/{id}` (mounted on Hono as `/v1/operator/sessions/:id`). */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: ApiAuth;
  /** Path parameters: one property per `{name}` in `path` (strings on the wire). */
  params?: P;
  /** Query parameters: strings on the wire; use z.coerce for numbers. */
  query?: Q;
  /** The JSON body. */
  body?: B;
  /**
   * `json` (default): read with readJsonBody (streamed size limit, UTF-8, schema). `handler`: the handler reads the body itself (a hub-signed body: the signature covers its bytes), declared here
   * for the document.
   */
  bodyReader?: "json" | "handler";
  maxBodyBytes?: number;
  /** The success status (default 200). */
  status?: 200 | 201;
  response: R;
  /**
   * The success answer's media type when it is not JSON (e.g. `application/atom+xml`, `text/csv`): the handler then
   * returns the body text, `response` is `z.string()`, and the document declares that media type.
   */
  produces?: string;
  /** What the success answer is. */
  responseDescription?: string;
  /** The error statuses the handler itself can answer, and when; auth, validation and 500 are added from the rest. */
  errors?: Partial<Record<ErrorStatus, string>>;
}

export type AnyApiRoute = ApiRouteSpec<ObjectSchema | undefined, ObjectSchema | undefined, z.ZodType | undefined, z.ZodType>;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> { params: Out<P>; query: Out<Q>; body: Out<B> }

/** Declares a route (typed: the handler's input and answer follow from the schemas). */
export function apiRoute<P extends ObjectSchema | undefined = undefined, Q extends ObjectSchema | undefined = undefined, B extends z.ZodType | undefined = undefined, R extends z.ZodType = z.ZodType>(
  spec: ApiRouteSpec<P, Q, B, R>,
): ApiRouteSpec<P, Q, B, R> {
  return spec;
}

/** Hono's handlers (not middleware) as method and OpenAPI path: what the server really answers. */
export function mountedRoutes(app: { routes: readonly { method: string; path: string }[] }): { method: string; path: string }[] {
  return app.routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}") }));
}

/**
 * The error statuses a route can answer, with when: validation (400) when it takes parameters or a body, 401 when it
 * needs credentials, 413 when it takes a body, the handler's own (`errors`), and 500.
 */
export function statusesOf(r: AnyApiRoute): Map<ErrorStatus, string> {
  const m = new Map<ErrorStatus, string>();
  const add = (s: ErrorStatus, d: string) => m.set(s, m.has(s) ? `${m.get(s)}; ${d}` : d);
  if (r.params || r.query || r.body) add(400, "A parameter or the body is malformed: `error.path` names the field at fault");
  if (r.auth !== "none") {
    add(401, r.auth === "hub-signature" ? "The signature, time, nonce or hub is refused (`error.code` says which)"
      : r.auth === "utility-signed" ? "The bearer token is missing or wrong, or the signature, time, nonce or utility is refused (`error.code` says which)"
      : "The bearer token is missing or wrong");
  }
  if (r.body) add(413, "The body is larger than the route takes (`error.details.maxBytes`)");
  for (const [s, d] of Object.entries(r.errors ?? {})) add(Number(s) as ErrorStatus, d);
  add(500, "A fault in the server (logged); the body names no internals");
  return m;
}

/** `/a/{id}/b` → `/a/:id/b`. */
export const honoPath = (openApiPath: string): string => openApiPath.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1");

function parsePart<S extends ObjectSchema>(schema: S, raw: Record<string, string | undefined>, where: "path" | "query"): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  const name = formatPath(first.path) || where;
  throw new ApiError("bad-request", `${where} parameter ${name}: ${first.message}`, `${where}.${name}`);
}

/**
 * The routes of one server, as mounted: `on` registers each with Hono and keeps its declaration for the document.
 * A route mounted any other way is not in the document (a test compares Hono's route list with it).
 */
export class ApiRoutes<E extends Env = Env> {
  readonly routes: AnyApiRoute[] = [];
  /**
   * `onUndeclaredStatus` is told of every answer whose status the route does not declare (tests collect them and
   * fail: the document must list every status a route can return).
   */
  constructor(readonly app: Hono<E>, private readonly o: { onUndeclaredStatus?: (operationId: string, status: number) => void } = {}) {}

  on<P extends ObjectSchema | undefined, Q extends ObjectSchema | undefined, B extends z.ZodType | undefined, R extends z.ZodType>(
    spec: ApiRouteSpec<P, Q, B, R>,
    handler: (c: Context<E>, input: RouteInput<P, Q, B>) => z.input<R> | Promise<z.input<R>>,
  ): void {
    if (this.routes.some((r) => r.operationId === spec.operationId)) throw new Error(`operationId ${spec.operationId} declared twice`);
    const declared = [...spec.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!).sort();
    const shape = spec.params ? Object.keys(spec.params.shape).sort() : [];
    if (declared.join() !== shape.join()) throw new Error(`${spec.operationId}: path ${spec.path} has parameters [${declared}] but declares [${shape}]`);
    this.routes.push(spec as unknown as AnyApiRoute);
    const declaredStatuses = new Set<number>([spec.status ?? 200, ...statusesOf(spec as unknown as AnyApiRoute).keys()]);
    const onUndeclared = this.o.onUndeclaredStatus;
    const check: MiddlewareHandler<E> = async (c, next) => {
      await next();
      if (onUndeclared && !declaredStatuses.has(c.res.status)) onUndeclared(spec.operationId, c.res.status);
    };
    const run = async (c: Context<E>) => {
      const params = (spec.params ? parsePart(spec.params, c.req.param() as Record<string, string>, "path") : undefined) as Out<P>;
      const query = (spec.query ? parsePart(spec.query, c.req.query(), "query") : undefined) as Out<Q>;
      const body = (spec.body && spec.bodyReader !== "handler"
        ? await readJsonBody(c.req.raw, spec.body, spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
        : undefined) as Out<B>;
      const answer = await handler(c, { params, query, body });
      const status = (spec.status ?? 200) as ContentfulStatusCode;
      // The answer is text, sent as UTF-8: the media type says so.
      if (spec.produces) return c.body(String(answer), status, { "content-type": `${spec.produces}; charset=utf-8` });
      return c.json(answer as object, status);
    };
    this.app.on(spec.method.toUpperCase(), honoPath(spec.path), check, run);
  }
}
