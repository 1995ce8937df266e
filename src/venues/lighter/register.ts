import { keccak_256 } from "@noble/hashes/sha3.js";
import { InvalidValueError } from "../../core/errors.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";
import { LighterHttp, LighterRejectError } from "./http.ts";
import { AccountsSchema, NextNonceSchema, parseAs, SendTxSchema } from "./parse.ts";
import { generateApiKey, LighterTxSigner } from "./signing.ts";

/**
 * API-key set-up (`perpbot lighter register-key`): a fresh key pair from the official signer is
 * registered at `apiKeyIndex` of the wallet's Lighter account by a ChangePubKey transaction,
 * which the new key signs and the account's L1 (Ethereum) key authorises with an EIP-191
 * `personal_sign` of the message the signer prints (VENUES.md §2.1). The venue keeps one public
 * key per (account, index): registering replaces whatever key held that index.
 */
export interface RegisterKeyRequest {
  /** REST base without /api/v1 */
  readonly url: string;
  readonly chainId: number;
  /** the account owner's key (secp256k1, from the keystore) */
  readonly l1: AccountSigner;
  readonly l1Address: string;
  /** the Lighter account; found by the L1 address when absent */
  readonly accountIndex?: number;
  readonly apiKeyIndex: number;
  readonly timeoutMs: number;
  readonly wallet: string;
}

export interface RegisteredKey {
  readonly accountIndex: number;
  readonly apiKeyIndex: number;
  readonly publicKeyHex: string;
  /** 40 bytes; the caller stores it in the keystore and zeroes it */
  readonly privateKey: Buffer;
  readonly txHash: string;
}

/** EIP-191 personal_sign of `message` with a keystore signer: 0x r ‖ s ‖ v (27/28). */
export async function personalSign(signer: AccountSigner, message: string): Promise<string> {
  const text = Buffer.from(message, "utf8");
  const digest = keccak_256(
    Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${text.length}`, "utf8"), text]),
  );
  const sig = await signer.sign(digest);
  return `0x${Buffer.from(sig.subarray(0, 64)).toString("hex")}${(sig[64] + 27).toString(16)}`;
}

export async function registerApiKey(r: RegisterKeyRequest): Promise<RegisteredKey> {
  const where = `lighter wallet ${r.wallet}`;
  if (r.l1.scheme !== "secp256k1")
    throw new InvalidValueError(`${where}: the L1 key must be secp256k1, got ${r.l1.scheme}`);
  if (!(Number.isInteger(r.apiKeyIndex) && r.apiKeyIndex >= 1 && r.apiKeyIndex <= 254))
    throw new InvalidValueError(
      `${where}: --api-key-index ${r.apiKeyIndex} must be 1 … 254 (0 is Lighter's own apps')`,
    );
  const http = new LighterHttp({ baseUrl: r.url, timeoutMs: r.timeoutMs, venueId: "lighter" });
  let accountIndex = r.accountIndex;
  if (accountIndex === undefined) {
    const raw = await http.get("account", { by: "l1_address", value: r.l1Address }).catch((e: unknown) => {
      if (e instanceof LighterRejectError)
        throw new InvalidValueError(
          `${where}: no Lighter account for ${r.l1Address} (deposit on Lighter first): ${e.message}`,
        );
      throw e;
    });
    const main = parseAs(AccountsSchema, raw, `account of ${r.l1Address}`).accounts.find(
      (a) => (a as { account_type?: number }).account_type !== 1,
    );
    if (main === undefined)
      throw new InvalidValueError(`${where}: no main Lighter account for ${r.l1Address}`);
    accountIndex = main.index;
  }
  const key = await generateApiKey();
  const holder = signerFromKeyBytes("ecgfp5", key.privateKey, `${where}, new API key`);
  const privateKey = Buffer.from(key.privateKey);
  key.privateKey.fill(0);
  try {
    const signer = await LighterTxSigner.create({
      holder,
      accountIndex,
      apiKeyIndex: r.apiKeyIndex,
      chainId: r.chainId,
      url: r.url,
    });
    const nonce = parseAs(
      NextNonceSchema,
      await http.get("nextNonce", { account_index: accountIndex, api_key_index: r.apiKeyIndex }),
      "nextNonce answer",
    ).nonce;
    const tx = signer.changePubKey(key.publicKeyHex, nonce);
    const l1Sig = await personalSign(r.l1, tx.messageToSign);
    const txInfo = JSON.stringify({ ...JSON.parse(tx.txInfo), L1Sig: l1Sig });
    const sent = parseAs(SendTxSchema, await http.sendTx(tx.txType, txInfo), "sendTx answer");
    return {
      accountIndex,
      apiKeyIndex: r.apiKeyIndex,
      publicKeyHex: key.publicKeyHex,
      privateKey,
      txHash: sent.tx_hash,
    };
  } catch (e) {
    privateKey.fill(0);
    throw e;
  }
}
