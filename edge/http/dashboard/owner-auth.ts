// The owner's credentials and login sessions. There is no default password: until one is set, a one-time setup
// code (crypto random, shown only in the hub's log and console) is the only way to set it. Passwords are hashed
// with argon2id (Bun.password, memory-hard). Session tokens are random; only their SHA-256 is kept, in memory,
// so a leaked heap dump or a restart never yields a usable cookie.
import { createHash, randomBytes } from "node:crypto";
import { ApiError, badRequest, conflict, sameSecret } from "../../../cloud-sync/protocol/index.ts";
import type { HubStore } from "../../store/hub-store.ts";
import { weakPasswordReason } from "./weak-passwords.ts";

export type Role = "owner" | "guest";

export interface LoginSession { role: Role; csrf: string; expiresMs: number }

interface StoredPassword { hash: string; setAt: number }

const PASSWORD_KEY = "dashboard.password";
const GUEST_VIEW_KEY = "dashboard.guestView";
/** Sessions last a month of real time: a phone on the home LAN should not have to log in daily. */
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
export const MIN_PASSWORD_LENGTH = 10;


const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Equal-time comparison (the protocol's): a guessed token cannot be found byte by byte through timing. */
export { sameSecret };

export class OwnerAuth {
  private code: string | null = null;
  private readonly sessions = new Map<string, LoginSession>();

  constructor(private readonly store: HubStore, private readonly nowMs: () => number = Date.now) {
    if (!this.passwordSet()) this.code = OwnerAuth.newSetupCode();
  }

  /** 12 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 60 bits, typed from a console. */
  static newSetupCode(): string {
    const alphabet = "23456789abcdefghjkmnpqrstuvwxyz";
    const bytes = randomBytes(24);
    let out = "";
    // Rejection sampling keeps every character equally likely (256 is not a multiple of the alphabet's 31).
    for (const b of bytes) {
      if (b >= 248) continue;
      out += alphabet[b % alphabet.length];
      if (out.length === 12) break;
    }
    return out.length === 12 ? `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8)}` : OwnerAuth.newSetupCode();
  }

  passwordSet(): boolean { return this.store.getSetting<StoredPassword>(PASSWORD_KEY) !== null; }

  /** The one-time setup code while no password is set, else null. */
  setupCode(): string | null { return this.passwordSet() ? null : this.code; }

  guestView(): boolean { return this.store.getSetting<boolean>(GUEST_VIEW_KEY) === true; }
  setGuestView(on: boolean): void { this.store.setSetting(GUEST_VIEW_KEY, on, Math.floor(this.nowMs() / 1000)); }

  private static checkNewPassword(pw: unknown, path: string): string {
    if (typeof pw !== "string") throw badRequest(`${path} must be a string`, path);
    if ([...pw].length < MIN_PASSWORD_LENGTH) throw badRequest(`${path} must be at least ${MIN_PASSWORD_LENGTH} characters`, path);
    if (pw.length > 1024) throw badRequest(`${path} must be at most 1024 characters`, path);
    const weak = weakPasswordReason(pw);
    if (weak) throw badRequest(`${path} ${weak}; choose another`, path);
    return pw;
  }

  private async storePassword(pw: string): Promise<void> {
    const hash = await Bun.password.hash(pw, { algorithm: "argon2id", memoryCost: 19456, timeCost: 2 });
    this.store.setSetting(PASSWORD_KEY, { hash, setAt: Math.floor(this.nowMs() / 1000) } satisfies StoredPassword, Math.floor(this.nowMs() / 1000));
  }

  /** First run: the setup code proves the person stands at the hub's console or log. Returns a session token. */
  async setup(code: unknown, password: unknown): Promise<{ token: string; session: LoginSession }> {
    if (this.passwordSet() || this.code === null) throw conflict("the password is already set; log in instead", "code");
    if (typeof code !== "string" || !sameSecret(code.trim().toLowerCase(), this.code)) {
      throw new ApiError("unauthorized", "the setup code is wrong; it is printed in the hub's log and console", "code");
    }
    await this.storePassword(OwnerAuth.checkNewPassword(password, "password"));
    this.code = null; // one-time
    return this.open("owner");
  }

  async login(password: unknown): Promise<{ token: string; session: LoginSession }> {
    const stored = this.store.getSetting<StoredPassword>(PASSWORD_KEY);
    if (!stored) throw conflict("no password is set yet; use the setup code from the hub's log", "password");
    if (typeof password !== "string" || password.length > 1024 || !(await Bun.password.verify(password, stored.hash))) {
      throw new ApiError("unauthorized", "wrong password", "password");
    }
    return this.open("owner");
  }

  async changePassword(current: unknown, next: unknown, keepToken: string): Promise<void> {
    const stored = this.store.getSetting<StoredPassword>(PASSWORD_KEY);
    if (!stored || typeof current !== "string" || !(await Bun.password.verify(current, stored.hash))) {
      throw new ApiError("unauthorized", "the current password is wrong", "current");
    }
    await this.storePassword(OwnerAuth.checkNewPassword(next, "next"));
    // Every other device is logged out: a changed password is often a response to a lost phone.
    const keep = sha256(keepToken);
    for (const k of [...this.sessions.keys()]) if (k !== keep) this.sessions.delete(k);
  }

  private open(role: Role): { token: string; session: LoginSession } {
    const token = randomBytes(32).toString("base64url");
    const session: LoginSession = { role, csrf: randomBytes(24).toString("base64url"), expiresMs: this.nowMs() + SESSION_TTL_MS };
    this.sessions.set(sha256(token), session);
    return { token, session };
  }

  /** The live session for a cookie value, or null (unknown, expired). */
  session(token: string | undefined): LoginSession | null {
    if (!token || token.length > 200) return null;
    const key = sha256(token);
    const s = this.sessions.get(key);
    if (!s) return null;
    if (s.expiresMs <= this.nowMs()) { this.sessions.delete(key); return null; }
    return s;
  }

  logout(token: string | undefined): void { if (token) this.sessions.delete(sha256(token)); }
}
