/**
 * The emulator's JSON Web Tokens (RFC 7519, HS256 with a per-process secret). Paradex's JWTs
 * last 5 minutes and cannot be extended (docs.paradex.trade "Authentication": "JWTs ... expire
 * every 5 minutes"); the emulator issues the same lifetime unless told otherwise.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const JWT_LIFETIME_S = 300;

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

export class JwtIssuer {
  readonly #secret = randomBytes(32);
  lifetimeS = JWT_LIFETIME_S;

  issue(account: string, nowMs: number): string {
    const iat = Math.floor(nowMs / 1000);
    const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const body = b64url(JSON.stringify({ sub: account, iat, exp: iat + this.lifetimeS, type: "auth" }));
    const sig = createHmac("sha256", this.#secret).update(`${head}.${body}`).digest("base64url");
    return `${head}.${body}.${sig}`;
  }

  /** The account a bearer token is for, or why it is refused. */
  check(token: string, nowMs: number): { ok: true; account: string } | { ok: false; why: string } {
    const parts = token.split(".");
    if (parts.length !== 3) return { ok: false, why: "malformed" };
    const want = createHmac("sha256", this.#secret).update(`${parts[0]}.${parts[1]}`).digest();
    const got = Buffer.from(parts[2]!, "base64url");
    if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, why: "invalid" };
    const claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as {
      sub: string;
      exp: number;
    };
    if (claims.exp * 1000 <= nowMs) return { ok: false, why: "expired" };
    return { ok: true, account: claims.sub };
  }
}
