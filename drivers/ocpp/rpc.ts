// One OCPP-J conversation over one WebSocket, either side: answers incoming CALLs through a handler and sends CALLs
// one at a time (OCPP-J 1.6 §4.1.1: no new CALL before the previous one is answered or timed out), with a timeout on
// the given Clock. Every payload in both directions is checked against the official schema; a bad incoming CALL earns
// the CALLERROR its fault deserves and the conversation goes on.
import type { Clock } from "../../core/time/index.ts";
import { OcppCallError, OcppTimeoutError } from "./errors.ts";
import { encodeCall, encodeError, encodeResult, parseFrame, type Payload } from "./framing.ts";
import { OCPP16_ACTIONS, validatePayload } from "./schemas.ts";

/** Answers one incoming CALL; throw OcppCallError to send a specific CALLERROR. */
export type CallHandler = (action: string, payload: Payload) => Payload | Promise<Payload>;

export interface RpcOptions {
  label: string;
  clock: Clock;
  send: (text: string) => void;
  handle: CallHandler;
  /** Actions this side answers; a known OCPP 1.6 action outside it is NotSupported, an unknown one NotImplemented. */
  answers: ReadonlySet<string>;
  callTimeoutMs?: number;
  log?: (line: string) => void;
}

interface Pending { id: string; action: string; resolve: (p: Payload) => void; reject: (e: Error) => void; timer: ReturnType<Clock["setTimeout"]> }

export class OcppRpc {
  private seq = 0;
  // Message ids need only be unique on this connection; a random prefix keeps a reconnect's ids apart from the last.
  private readonly idPrefix = Math.floor(Math.random() * 0x7fffffff).toString(36);
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed: string | null = null;
  /** Messages received and sent, for the benchmark and the dashboard. */
  counts = { in: 0, out: 0, callErrorsSent: 0 };

  constructor(private readonly o: RpcOptions) {}

  /** Sends a CALL and resolves with the validated answer; rejects with OcppCallError, OcppTimeoutError or a schema error. */
  call(action: string, payload: Payload): Promise<Payload> {
    const bad = validatePayload(action, "req", payload);
    if (bad) return Promise.reject(new Error(`${this.o.label}: refusing to send ${action}: ${bad.path}: ${bad.message}`));
    const run = () => new Promise<Payload>((resolve, reject) => {
      if (this.closed) return reject(new OcppTimeoutError(this.o.label, action, `not connected (${this.closed})`));
      const id = `${this.idPrefix}-${(++this.seq).toString(36)}`;
      const timer = this.o.clock.setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = null;
        reject(new OcppTimeoutError(this.o.label, action, `no answer within ${(this.o.callTimeoutMs ?? 30_000) / 1000} s`));
      }, this.o.callTimeoutMs ?? 30_000);
      this.pending = { id, action, resolve, reject, timer };
      this.write(encodeCall(id, action, payload));
    });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Feeds one received text frame. */
  receive(text: string): void {
    this.counts.in++;
    const f = parseFrame(text);
    switch (f.kind) {
      case "bad":
        this.o.log?.(`ocpp ${this.o.label}: ${f.code}: ${f.description}`);
        this.fail(f.id, f.code, f.description);
        return;
      case "call":
        void this.answer(f.id, f.action, f.payload);
        return;
      case "result":
      case "error": {
        const p = this.pending;
        if (!p || p.id !== f.id) {
          this.o.log?.(`ocpp ${this.o.label}: answer to unknown or timed-out call ${f.id} ignored`);
          return;
        }
        this.pending = null;
        this.o.clock.clearTimeout(p.timer);
        if (f.kind === "error") return p.reject(new OcppCallError(f.code, f.description, f.details));
        const bad = validatePayload(p.action, "conf", f.payload);
        if (bad) p.reject(new OcppCallError(bad.code, `${p.action}.conf ${bad.path}: ${bad.message}`));
        else p.resolve(f.payload);
        return;
      }
    }
  }

  /** The socket went away: calls in flight fail now rather than at their timeout. */
  close(reason: string): void {
    this.closed = reason;
    const p = this.pending;
    if (p) {
      this.pending = null;
      this.o.clock.clearTimeout(p.timer);
      p.reject(new OcppTimeoutError(this.o.label, p.action, `connection closed (${reason})`));
    }
  }

  private async answer(id: string, action: string, payload: Payload): Promise<void> {
    if (!this.o.answers.has(action)) {
      const known = OCPP16_ACTIONS.has(action);
      return this.fail(id, known ? "NotSupported" : "NotImplemented", known ? `${action} is not supported here` : `unknown action ${action}`);
    }
    const bad = validatePayload(action, "req", payload);
    if (bad) return this.fail(id, bad.code, `${action} ${bad.path}: ${bad.message}`, { path: bad.path });
    let conf: Payload;
    try {
      conf = await this.o.handle(action, payload);
    } catch (e) {
      if (e instanceof OcppCallError) return this.fail(id, e.code, e.description, e.details);
      this.o.log?.(`ocpp ${this.o.label}: ${action} failed: ${(e as Error).message}`);
      return this.fail(id, "InternalError", `${action} could not be processed`);
    }
    const badConf = validatePayload(action, "conf", conf);
    if (badConf) {
      this.o.log?.(`ocpp ${this.o.label}: our ${action}.conf breaks the schema at ${badConf.path}: ${badConf.message}`);
      return this.fail(id, "InternalError", `${action} answer could not be formed`);
    }
    this.write(encodeResult(id, conf));
  }

  private fail(id: string | null, code: OcppCallError["code"], description: string, details: Payload = {}): void {
    this.counts.callErrorsSent++;
    this.write(encodeError(id, code, description, details));
  }

  private write(text: string): void {
    if (this.closed) return;
    this.counts.out++;
    this.o.send(text);
  }
}
