import { VenueUnknownOutcomeError } from "../../core/venue.ts";

/** Error codes of a connection that was never made: nothing reached the venue. */
const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** A fetch that threw, as the contract's unknown outcome: "unavailable" when nothing was sent, else "timeout". */
export function transportError(e: unknown, where: string): VenueUnknownOutcomeError {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError")
    return new VenueUnknownOutcomeError("timeout", `${where}: no answer (timed out)`);
  const code = err.cause?.code ?? "";
  if (UNREACHABLE.has(code))
    return new VenueUnknownOutcomeError("unavailable", `${where}: not sent (${code})`);
  return new VenueUnknownOutcomeError(
    "timeout",
    `${where}: connection lost before the answer (${code || err.cause?.message || err.message})`,
  );
}
