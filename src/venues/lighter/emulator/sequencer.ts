/**
 * The emulator's sequencer: `sendTx` checks a transaction (verify.ts) and its Schnorr signature
 * (schnorr/: by the key being registered for a ChangePubKey, else by the registered key of
 * (account, api key index), on the emulator's chain id), consumes its nonce and queues it,
 * answering only "queued" with its hash, the tx's message hash (the official signer's `txHash`);
 * the queue executes `blockMs` later, when orders reach the book and the account streams say what
 * became of them (VENUES.md §2.6).
 */
import { changeLeverage } from "../../sim/account-admin.ts";
import type { LtEngine, TxRecord } from "./engine.ts";
import { lighterTxHash, parseTxInfoJson, verifyLighterSignatureOnChain } from "./schnorr/verify.ts";
import {
  CANCEL_ORDER_FIELDS,
  CHANGE_PUB_KEY_FIELDS,
  CODES,
  CREATE_ORDER_FIELDS,
  changePubKeyMessage,
  checkCommon,
  checkCreateOrder,
  checkKeyAndNonce,
  intField,
  type OrderFields,
  recoverPersonalSigner,
  type SignatureVerifier,
  type TxRefusal,
  UPDATE_LEVERAGE_FIELDS,
} from "./verify.ts";

type Fields = Record<string, unknown>;

interface Queued {
  readonly tx: TxRecord;
  readonly run: () => string | undefined;
}

export interface SequencerOptions {
  /** the chain id signatures are made for: mainnet 304, testnet 300 */
  readonly chainId: number;
  /** replaces the Schnorr check (a test that counts or forces refusals); default: schnorr/ on `chainId` */
  readonly verifySignature?: SignatureVerifier;
  readonly blockMs: number;
}

export class LtSequencer {
  readonly engine: LtEngine;
  readonly #opts: SequencerOptions;
  readonly #queue: Queued[] = [];
  readonly #afterBlock: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(engine: LtEngine, opts: SequencerOptions, afterBlock: () => void) {
    this.engine = engine;
    this.#opts = opts;
    this.#afterBlock = afterBlock;
  }

  /** refused transactions by code */
  readonly refusals = new Map<number, number>();

  /** Check and queue one transaction: its record, or the venue's refusal (counted by code). */
  accept(txType: number, txInfoText: string): TxRecord | TxRefusal {
    const r = this.#accept(txType, txInfoText);
    if ("code" in r) this.refusals.set(r.code, (this.refusals.get(r.code) ?? 0) + 1);
    return r;
  }

  #accept(txType: number, txInfoText: string): TxRecord | TxRefusal {
    // integers beyond 2^53 stay exact (bigints), so the range checks name them instead of a rounded value
    const info = parseTxInfoJson(txInfoText);
    if (typeof info === "string")
      return { code: CODES.invalidTxInfo, message: `tx_info is not a JSON object (${info})` };
    const fields =
      txType === 14
        ? CREATE_ORDER_FIELDS
        : txType === 15
          ? CANCEL_ORDER_FIELDS
          : txType === 20
            ? UPDATE_LEVERAGE_FIELDS
            : txType === 8
              ? CHANGE_PUB_KEY_FIELDS
              : undefined;
    if (fields === undefined)
      return {
        code: CODES.invalidTxInfo,
        message: `tx_type ${txType} is not served by the emulator (8, 14, 15, 20)`,
      };
    const common = checkCommon(this.engine, info, fields);
    if ("code" in common) return common;
    const { account, apiKeyIndex, nonce } = common;
    let run: () => string | undefined;
    let publicKey: string;
    if (txType === 8) {
      // the key being registered signs its own ChangePubKey; the owner's L1 signature authorises it
      if (typeof info.PubKey !== "string" || Buffer.from(info.PubKey, "base64").length !== 40)
        return { code: CODES.invalidTxInfo, message: "PubKey must be 40 bytes of base64" };
      publicKey = Buffer.from(info.PubKey, "base64").toString("hex");
      const expectedNonce = account.keys.get(apiKeyIndex)?.nextNonce ?? 0;
      if (nonce !== expectedNonce)
        return { code: CODES.invalidNonce, message: `invalid nonce ${nonce}: expected ${expectedNonce}` };
      const message = changePubKeyMessage(publicKey, nonce, account.index, apiKeyIndex);
      const signer = typeof info.L1Sig === "string" ? recoverPersonalSigner(message, info.L1Sig) : undefined;
      if (signer === undefined || signer !== account.l1Address.toLowerCase())
        return {
          code: CODES.invalidL1Signature,
          message: `L1Sig does not recover to the account's L1 address ${account.l1Address}${signer ? ` (got ${signer})` : ""}`,
        };
      run = () => {
        account.keys.set(apiKeyIndex, { publicKey, nextNonce: nonce + 1 });
        return undefined;
      };
    } else {
      const bad = checkKeyAndNonce(account, apiKeyIndex, nonce);
      if (bad) return bad;
      publicKey = account.keys.get(apiKeyIndex)!.publicKey;
      const built = this.#build(txType, info, account.index);
      if ("code" in built) return built;
      run = built.run;
    }
    const chainId = this.#opts.chainId;
    const sigError = this.#opts.verifySignature
      ? this.#opts.verifySignature(txType, info, publicKey)
      : verifyLighterSignatureOnChain(chainId, txType, info, publicKey);
    if (sigError !== undefined)
      return {
        code: CODES.invalidSignature,
        message: `invalid signature: ${sigError} (${txType === 8 ? "by the PubKey being registered" : `by api key ${apiKeyIndex} of account ${account.index}`}, chain id ${chainId})`,
      };
    let hash: string;
    try {
      hash = lighterTxHash(chainId, txType, info);
    } catch (e) {
      return { code: CODES.invalidTxInfo, message: `tx_info: ${(e as Error).message}` };
    }
    const key = account.keys.get(apiKeyIndex);
    if (key) key.nextNonce = nonce + 1;
    const tx: TxRecord = {
      hash,
      type: txType,
      info: txInfoText,
      account: account.index,
      apiKeyIndex,
      nonce,
      status: 1,
      queuedAt: this.engine.clock.now(),
    };
    this.engine.txs.set(hash, tx);
    this.#queue.push({ tx, run });
    this.#schedule();
    return tx;
  }

  #build(txType: number, info: Fields, account: number): { run: () => string | undefined } | TxRefusal {
    const e = this.engine;
    if (txType === 14) {
      const o = checkCreateOrder(e, info);
      if ("code" in o) return o;
      if (this.#coiTaken(account, o.clientOrderIndex))
        return {
          code: CODES.clientOrderIndexExists,
          message: `client order index ${o.clientOrderIndex} already exists`,
        };
      return { run: () => this.#create(account, o, info.Nonce as number) };
    }
    if (txType === 15) {
      const market = intField(info, "MarketIndex", 0, 65_535);
      if (typeof market !== "number") return market;
      const index = intField(info, "Index", 0, Number.MAX_SAFE_INTEGER);
      if (typeof index !== "number") return index;
      return {
        run: () => {
          // Index is an order index (≥ 2^48) or a client order index
          const rec =
            index >= 2 ** 48
              ? e.orders.get(index)
              : [...e.orders.values()].find(
                  (o) => o.account === account && o.clientOrderIndex === index && o.status === "open",
                );
          if (
            rec === undefined ||
            rec.account !== account ||
            rec.market.marketId !== market ||
            !e.cancel(rec)
          )
            return "order not found or not open";
          return undefined;
        },
      };
    }
    const market = intField(info, "MarketIndex", 0, 65_535);
    if (typeof market !== "number") return market;
    const m = e.byId.get(market);
    if (m === undefined) return { code: CODES.invalidMarket, message: `market ${market} does not exist` };
    const imf = intField(info, "InitialMarginFraction", m.imf, 10_000);
    if (typeof imf !== "number") return imf;
    const mode = intField(info, "MarginMode", 0, 1);
    if (typeof mode !== "number") return mode;
    return {
      run: () => {
        try {
          changeLeverage(
            e.exchange,
            String(account),
            m.symbol,
            Math.max(1, Math.floor(10_000 / imf)),
            mode === 1 ? "isolated" : "cross",
          );
          return undefined;
        } catch (err) {
          return (err as Error).message;
        }
      },
    };
  }

  #coiTaken(account: number, coi: number): boolean {
    for (const o of this.engine.orders.values())
      if (o.account === account && o.clientOrderIndex === coi) return true;
    return this.#queue.some(
      (q) => q.tx.type === 14 && q.tx.account === account && JSON.parse(q.tx.info).ClientOrderIndex === coi,
    );
  }

  #create(account: number, o: OrderFields, nonce: number): string | undefined {
    const m = this.engine.byId.get(o.marketId)!;
    this.engine.place({
      clientOrderIndex: o.clientOrderIndex,
      account,
      market: m,
      isAsk: o.isAsk,
      timeInForce:
        o.timeInForce === 0 ? "immediate-or-cancel" : o.timeInForce === 2 ? "post-only" : "good-till-time",
      reduceOnly: o.reduceOnly,
      priceTicks: o.price,
      lots: o.baseAmount,
      nonce,
      orderExpiry: o.orderExpiry,
    });
    return undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.runBlock();
    }, this.#opts.blockMs);
  }

  /** Execute everything queued, in order. */
  runBlock(): void {
    const batch = this.#queue.splice(0);
    for (const q of batch) {
      const error = q.run();
      q.tx.status = error === undefined ? 2 : 3;
      if (error !== undefined) q.tx.error = error;
    }
    if (batch.length > 0) this.#afterBlock();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
