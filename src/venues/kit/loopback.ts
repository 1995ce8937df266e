const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** True when the REST host is this machine (the emulator): anything else is taken as real money. */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return LOOPBACK.has(host) || /^127\./.test(host);
}
