import { type ApiConfig, apiSection, isLoopbackHost } from "../app/api-section.ts";
import { PerpbotError } from "../core/errors.ts";

/**
 * The `[api]` section (defined in app/api-section.ts so app/sections.ts can register it) and the
 * server's own bind check, which holds for options built in code too, not only for a loaded config.
 */

export { type ApiConfig, apiSection, isLoopbackHost };

/** The API cannot or may not listen where asked: a user error (exit code 2). */
export class BindRefused extends PerpbotError {
  readonly exitCode: number = 2;
  constructor(message: string) {
    super("api_bind", message);
  }
}

/** Throws unless `host` is loopback or `allowRemote` says binding beyond it was meant. */
export function checkBind(host: string, allowRemote: boolean): void {
  if (isLoopbackHost(host) || allowRemote) return;
  throw new BindRefused(
    `api: refusing to bind ${host}, which is not a loopback address; set api.allow_remote = true to expose the API (every endpoint then needs the token)`,
  );
}
