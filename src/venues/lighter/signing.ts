import { z } from "zod";
import { InvalidValueError } from "../../core/errors.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { type LighterWasm, loadLighterWasm } from "./wasm.ts";

/**
 * Lighter transaction signing through the official signer (wasm.ts). No I/O: the signer only
 * builds and signs `tx_info` JSON; http.ts sends it. Every signed transaction is read back and
 * checked against what was asked (nonce, expiry, market, amounts, key and account): a build with
 * another argument list would otherwise sign different values without an error (ccxt's wrapper
 * signs Nonce 0 with this build, VENUES.md §0).
 */

/** Transaction types (lighter-go `types/txtypes/constants.go`). */
export const TX_TYPE = {
  changePubKey: 8,
  createOrder: 14,
  cancelOrder: 15,
  cancelAllOrders: 16,
  modifyOrder: 17,
  updateLeverage: 20,
} as const;

/** Order types, time in force (lighter-go `constants.go`). */
export const ORDER_TYPE = { limit: 0, market: 1 } as const;
export const TIME_IN_FORCE = { ioc: 0, gtt: 1, postOnly: 2 } as const;

/** The ten order fields of a CreateOrder, in the signer's argument order (`create_order.go`). */
export interface CreateOrderFields {
  readonly marketIndex: number;
  readonly clientOrderIndex: number;
  readonly baseAmount: number;
  readonly price: number;
  readonly isAsk: 0 | 1;
  readonly type: number;
  readonly timeInForce: number;
  readonly reduceOnly: 0 | 1;
  readonly triggerPrice: number;
  /** ms since the epoch; 0 for IOC */
  readonly orderExpiry: number;
}

export interface SignedTx {
  readonly txType: number;
  /** the JSON text sent as `tx_info` */
  readonly txInfo: string;
  /** the transaction's hash as the signer computed it (the venue's `tx_hash`) */
  readonly txHash: string;
  readonly info: Readonly<Record<string, unknown>>;
}

const int = z.number().int();
const SignedSchema = z.object({ txType: int, txInfo: z.string(), txHash: z.string().regex(/^[0-9a-f]+$/) });
const CommonInfoSchema = z
  .object({ AccountIndex: int, ApiKeyIndex: int, Nonce: int, ExpiredAt: int, Sig: z.string().min(1) })
  .loose();

/** The signer refused, or signed something other than what it was asked. */
export class LighterSignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LighterSignError";
  }
}

function checkInt(name: string, v: number, min: number, max: number, where: string): void {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new InvalidValueError(`${where}: ${name} ${v} must be an integer in [${min}, ${max}]`);
}

/**
 * One API key of one Lighter account inside the official signer. Built from the keystore's key
 * holder (scheme "ecgfp5"): the key is handed to the signer once and lives on only inside it.
 */
export class LighterTxSigner {
  readonly accountIndex: number;
  readonly apiKeyIndex: number;
  readonly chainId: number;
  readonly #wasm: LighterWasm;
  readonly #where: string;

  private constructor(wasm: LighterWasm, accountIndex: number, apiKeyIndex: number, chainId: number) {
    this.#wasm = wasm;
    this.accountIndex = accountIndex;
    this.apiKeyIndex = apiKeyIndex;
    this.chainId = chainId;
    this.#where = `lighter signer (account ${accountIndex}, api key ${apiKeyIndex})`;
  }

  /**
   * A signer for (accountIndex, apiKeyIndex) holding the key of `holder`. `url` is the REST base
   * the Go client is told (it makes no request while signing).
   */
  static async create(opts: {
    holder: AccountSigner;
    accountIndex: number;
    apiKeyIndex: number;
    chainId: number;
    url: string;
  }): Promise<LighterTxSigner> {
    const where = `lighter signer (account ${opts.accountIndex}, api key ${opts.apiKeyIndex})`;
    checkInt("account index", opts.accountIndex, 0, 2 ** 48 - 1, where);
    checkInt("api key index", opts.apiKeyIndex, 0, 254, where);
    if (opts.holder.scheme !== "ecgfp5" || opts.holder.handOff === undefined)
      throw new InvalidValueError(
        `${where}: needs a Lighter API key (ecgfp5), got a ${opts.holder.scheme} signer`,
      );
    const wasm = await loadLighterWasm();
    let result: Record<string, unknown> | undefined;
    opts.holder.handOff((key) => {
      result = wasm.CreateClient(
        opts.url,
        `0x${Buffer.from(key).toString("hex")}`,
        opts.chainId,
        opts.apiKeyIndex,
        opts.accountIndex,
      );
    });
    if (result?.error) throw new LighterSignError(`${where}: CreateClient: ${String(result.error)}`);
    return new LighterTxSigner(wasm, opts.accountIndex, opts.apiKeyIndex, opts.chainId);
  }

  #read(result: Record<string, unknown>, what: string, nonce: number): SignedTx {
    if (result.error) throw new LighterSignError(`${this.#where}: ${what}: ${String(result.error)}`);
    const s = SignedSchema.safeParse(result);
    if (!s.success)
      throw new LighterSignError(`${this.#where}: ${what}: unexpected answer ${JSON.stringify(result)}`);
    const info = CommonInfoSchema.safeParse(JSON.parse(s.data.txInfo));
    if (!info.success)
      throw new LighterSignError(
        `${this.#where}: ${what}: tx_info lacks ${info.error.issues.map((i) => i.path.join(".")).join(", ")}`,
      );
    const i = info.data;
    const wrong: string[] = [];
    if (i.Nonce !== nonce) wrong.push(`Nonce ${i.Nonce} (asked ${nonce})`);
    if (i.AccountIndex !== this.accountIndex) wrong.push(`AccountIndex ${i.AccountIndex}`);
    if (i.ApiKeyIndex !== this.apiKeyIndex) wrong.push(`ApiKeyIndex ${i.ApiKeyIndex}`);
    if (wrong.length > 0)
      throw new LighterSignError(`${this.#where}: ${what} signed ${wrong.join(", ")}: signer ABI mismatch`);
    return { txType: s.data.txType, txInfo: s.data.txInfo, txHash: s.data.txHash, info: i };
  }

  createOrder(o: CreateOrderFields, nonce: number): SignedTx {
    const w = `${this.#where}: CreateOrder`;
    checkInt("MarketIndex", o.marketIndex, 0, 65_535, w);
    checkInt("ClientOrderIndex", o.clientOrderIndex, 0, 2 ** 48 - 1, w);
    checkInt("BaseAmount", o.baseAmount, 1, 2 ** 48 - 1, w);
    checkInt("Price", o.price, 1, 2 ** 32 - 1, w);
    checkInt("Nonce", nonce, 0, Number.MAX_SAFE_INTEGER, w);
    const tx = this.#read(
      this.#wasm.SignCreateOrder(
        o.marketIndex,
        o.clientOrderIndex,
        o.baseAmount,
        o.price,
        o.isAsk,
        o.type,
        o.timeInForce,
        o.reduceOnly,
        o.triggerPrice,
        o.orderExpiry,
        nonce,
        this.apiKeyIndex,
        this.accountIndex,
      ),
      "CreateOrder",
      nonce,
    );
    const i = tx.info;
    const asked: Record<string, number> = {
      MarketIndex: o.marketIndex,
      ClientOrderIndex: o.clientOrderIndex,
      BaseAmount: o.baseAmount,
      Price: o.price,
      IsAsk: o.isAsk,
      Type: o.type,
      TimeInForce: o.timeInForce,
      ReduceOnly: o.reduceOnly,
      TriggerPrice: o.triggerPrice,
      OrderExpiry: o.orderExpiry,
    };
    const wrong = Object.entries(asked).filter(([k, v]) => i[k] !== v);
    if (wrong.length > 0)
      throw new LighterSignError(
        `${w} signed ${wrong.map(([k, v]) => `${k} ${String(i[k])} (asked ${v})`).join(", ")}: signer ABI mismatch`,
      );
    return tx;
  }

  cancelOrder(marketIndex: number, orderIndex: number, nonce: number): SignedTx {
    const tx = this.#read(
      this.#wasm.SignCancelOrder(marketIndex, orderIndex, nonce, this.apiKeyIndex, this.accountIndex),
      "CancelOrder",
      nonce,
    );
    if (tx.info.MarketIndex !== marketIndex || tx.info.Index !== orderIndex)
      throw new LighterSignError(
        `${this.#where}: CancelOrder signed market ${String(tx.info.MarketIndex)} index ${String(tx.info.Index)}`,
      );
    return tx;
  }

  /** `fraction`: initial margin fraction ×1e4 (500 = 20x); marginMode 0 cross, 1 isolated. */
  updateLeverage(marketIndex: number, fraction: number, marginMode: 0 | 1, nonce: number): SignedTx {
    return this.#read(
      this.#wasm.SignUpdateLeverage(
        marketIndex,
        fraction,
        marginMode,
        nonce,
        this.apiKeyIndex,
        this.accountIndex,
      ),
      "UpdateLeverage",
      nonce,
    );
  }

  /**
   * ChangePubKey registering `pubKeyHex` (this signer's own key, from GenerateAPIKey) at this
   * signer's api key index; `messageToSign` is what the account's L1 (Ethereum) key signs with
   * EIP-191 `personal_sign`, its signature then goes in `L1Sig`.
   */
  changePubKey(pubKeyHex: string, nonce: number): SignedTx & { readonly messageToSign: string } {
    const raw = this.#wasm.SignChangePubKey(
      `0x${pubKeyHex.replace(/^0x/, "")}`,
      nonce,
      this.apiKeyIndex,
      this.accountIndex,
    );
    const tx = this.#read(raw, "ChangePubKey", nonce);
    if (typeof raw.messageToSign !== "string")
      throw new LighterSignError(`${this.#where}: ChangePubKey gave no messageToSign`);
    return { ...tx, messageToSign: raw.messageToSign };
  }

  /** `"{deadline}:{account}:{apiKey}:{sig}"` valid until `deadlineSec` (the venue allows ≤ 8 h). */
  authToken(deadlineSec: number): string {
    const r = this.#wasm.CreateAuthToken(deadlineSec, this.apiKeyIndex, this.accountIndex);
    if (r.error || typeof r.authToken !== "string")
      throw new LighterSignError(`${this.#where}: CreateAuthToken: ${String(r.error ?? "no token")}`);
    const [d, a, k] = r.authToken.split(":");
    if (Number(d) !== deadlineSec || Number(a) !== this.accountIndex || Number(k) !== this.apiKeyIndex)
      throw new LighterSignError(
        `${this.#where}: CreateAuthToken signed ${r.authToken.split(":").slice(0, 3).join(":")}`,
      );
    return r.authToken;
  }
}

/** A fresh API key pair from the official signer: hex private (40 bytes) and public key. */
export async function generateApiKey(): Promise<{ privateKey: Uint8Array; publicKeyHex: string }> {
  const wasm = await loadLighterWasm();
  const r = wasm.GenerateAPIKey();
  const k = z.object({ privateKey: z.string(), publicKey: z.string() }).safeParse(r);
  if (!k.success)
    throw new LighterSignError(`lighter signer: GenerateAPIKey: ${String(r.error ?? "unexpected answer")}`);
  return {
    privateKey: Buffer.from(k.data.privateKey.replace(/^0x/, ""), "hex"),
    publicKeyHex: k.data.publicKey.replace(/^0x/, ""),
  };
}
