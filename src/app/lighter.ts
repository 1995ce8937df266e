/**
 * Lighter account set-up, for `perpbot lighter register-key`: the wallet's own key in the
 * keystore (its L1 Ethereum key) authorises a fresh API key at an index of the wallet's Lighter
 * account; the new key goes into the keystore (wallet W, venue "lighter", field
 * `api_private_key`, identity account_index / api_key_index), never to the screen.
 */
import type { ConfigValues } from "../config/registry.ts";
import { endpointsOf, KEYSTORE_FIELD, KEYSTORE_VENUE } from "../venues/lighter/config.ts";
import { lighterVenueFactory } from "../venues/lighter/factory.ts";
import { registerApiKey } from "../venues/lighter/register.ts";
import { venueConfigOf } from "../venues/registry.ts";
import { addWallets } from "../wallets/edit.ts";
import { KeystoreUsageError } from "../wallets/errors.ts";
import { openKeystore } from "../wallets/keystore.ts";
import { signerFromKeystore } from "../wallets/signer.ts";

/** Not 0: index 0 is the key Lighter's own apps register, and replacing it logs their user out. */
export const DEFAULT_API_KEY_INDEX = 3;

export interface RegisterKeyRequest {
  readonly values: ConfigValues;
  readonly keystorePath: string;
  readonly password: string;
  readonly wallet: string;
  readonly apiKeyIndex?: number;
  readonly accountIndex?: number;
}

export interface RegisterKeyReport {
  readonly wallet: string;
  readonly accountIndex: number;
  readonly apiKeyIndex: number;
  readonly publicKey: string;
  readonly txHash: string;
  readonly url: string;
}

export async function registerLighterKey(r: RegisterKeyRequest): Promise<RegisterKeyReport> {
  const config = venueConfigOf(r.values, lighterVenueFactory);
  const ends = endpointsOf(config);
  const configured = config.wallets[r.wallet];
  const apiKeyIndex = r.apiKeyIndex ?? configured?.api_key_index ?? DEFAULT_API_KEY_INDEX;
  if (apiKeyIndex === 0)
    throw new KeystoreUsageError(
      `lighter wallet ${r.wallet}: api key index 0 is the one Lighter's own apps use; registering there logs the wallet's owner out of them (choose 1 … 254)`,
    );
  const ks = await openKeystore(r.keystorePath, r.password);
  let report: RegisterKeyReport;
  let privateKey: Buffer;
  try {
    const l1Address = await ks.deriveAddress(r.wallet);
    if (l1Address === undefined)
      throw new KeystoreUsageError(
        `lighter wallet ${r.wallet}: the keystore holds no L1 (Ethereum) key for it: add it with \`perpbot keys add ${r.wallet} --key\``,
      );
    if (
      configured?.l1_address !== undefined &&
      configured.l1_address.toLowerCase() !== l1Address.toLowerCase()
    )
      throw new KeystoreUsageError(
        `lighter wallet ${r.wallet}: the keystore key is ${l1Address}, but [venues.lighter.wallets.${r.wallet}] l1_address is ${configured.l1_address}`,
      );
    const l1 = await signerFromKeystore(ks, { walletId: r.wallet, scheme: "secp256k1" });
    const done = await registerApiKey({
      url: ends.restUrl,
      chainId: ends.chainId,
      l1,
      l1Address,
      accountIndex: r.accountIndex ?? configured?.account_index,
      apiKeyIndex,
      timeoutMs: config.request_timeout_ms,
      wallet: r.wallet,
    });
    privateKey = done.privateKey;
    report = {
      wallet: r.wallet,
      accountIndex: done.accountIndex,
      apiKeyIndex,
      publicKey: done.publicKeyHex,
      txHash: done.txHash,
      url: ends.restUrl,
    };
  } finally {
    ks.close();
  }
  try {
    await addWallets(
      r.keystorePath,
      r.password,
      [
        {
          id: r.wallet,
          venues: {
            [KEYSTORE_VENUE]: {
              identity: { account_index: String(report.accountIndex), api_key_index: String(apiKeyIndex) },
              secrets: { [KEYSTORE_FIELD]: { bytes: privateKey, encoding: "hex" } },
            },
          },
        },
      ],
      { replace: true },
    );
  } catch (e) {
    throw new KeystoreUsageError(
      `lighter wallet ${r.wallet}: the key was registered at index ${apiKeyIndex} of account ${report.accountIndex} (tx ${report.txHash}) but could not be stored (${(e as Error).message}); run register-key again: a new key replaces it`,
    );
  } finally {
    privateKey.fill(0);
  }
  return report;
}
