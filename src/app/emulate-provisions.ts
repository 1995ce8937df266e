/**
 * `perpbot emulate all --write-config` provisions of Hibachi, Paradex, Extended and GRVT (the
 * others are in emulate-wallets.ts): per wallet a fresh key (secp256k1 or Stark), an account on
 * the emulator registered or onboarded with its public half and funded, the `[venues.<kind>]`
 * keys those venues' config schemas take and the keystore fields their live tests use.
 */
import { randomBytes } from "node:crypto";
import type { ExtendedEmulator } from "../venues/extended/emulator/start.ts";
import type { GrvtEmulator } from "../venues/grvt/emulator/start.ts";
import type { HibachiEmulator } from "../venues/hibachi/emulator/start.ts";
import type { ParadexEmulator } from "../venues/paradex/emulator/start.ts";
import { privateKeyToAddress } from "../wallets/address.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";
import { hexSecret, type MadeWallet, type Provision, venueOf } from "./emulate-wallets.ts";

/**
 * A fresh Stark private key: 32 random bytes with the top byte cleared to 0..3, so below the
 * Stark curve order (about 2^251.0, starknet docs "STARK curve"), and never zero.
 */
function freshStarkKey(): Buffer {
  const k = randomBytes(32);
  k[0] &= 0x03;
  k[31] |= 0x01;
  return k;
}

/** The 0x public key (x coordinate, no leading zeros) of a Stark private key. */
const starkPublicOf = (key: Buffer) =>
  `0x${signerFromKeyBytes("stark", key, "emulated key").publicKey.replace(/^0+/, "")}`;

/** The local emulators answer at once: a short request timeout surfaces a stuck one quickly. */
const LOCAL_TIMEOUT_MS = 3000;

/** the first account id the written config uses on Hibachi (the live tests use 100 + i) */
const HIBACHI_FIRST_ACCOUNT = 7001;

/**
 * Hibachi: a trustless account per wallet (its id, a fresh API key, a fresh secp256k1 trading
 * key registered by its public key), funded in USDT. Hibachi wants `engine.send_expiry_ms` ≥
 * 60 000 (its nonce window): the config writer sets it.
 */
export function hibachiProvision(emu: HibachiEmulator): Provision {
  const symbols = emu.engine.contracts.map((c) => c.symbol);
  let made = 0;
  return async (wallets, usdc) => {
    const out: MadeWallet[] = wallets.map((w) => {
      const key = randomBytes(32);
      const accountId = HIBACHI_FIRST_ACCOUNT + made++;
      const apiKey = `emu-${randomBytes(12).toString("hex")}`;
      emu.driver.addAccount({
        accountId,
        apiKey,
        key: {
          kind: "trustless",
          publicKeyHex: signerFromKeyBytes("secp256k1", key, "emulated key").publicKey,
        },
        usdt: usdc,
      });
      return {
        id: w.id,
        account: String(accountId),
        table: { account_id: accountId, api_key: apiKey },
        keystore: { identity: {}, secrets: { private_key: hexSecret(key) } },
      };
    });
    // poll_ms: while orders are live, the account is read twice a second (the live test's value)
    const table = { trade_url: emu.url, request_timeout_ms: LOCAL_TIMEOUT_MS, poll_ms: 500 };
    return venueOf(table, out, symbols, (a, s) => String(emu.driver.position(Number(a), s)));
  };
}

/** Paradex: a fresh Starknet account address per wallet, onboarded with a fresh Stark key and funded. */
export function paradexProvision(emu: ParadexEmulator): Provision {
  const symbols = emu.driver.markets();
  return async (wallets, usdc) => {
    const out: MadeWallet[] = wallets.map((w) => {
      const key = freshStarkKey();
      // any felt names an account on the emulator; 31 random bytes stay below the field prime
      const account = `0x${randomBytes(31).toString("hex")}`;
      emu.driver.onboard(account, starkPublicOf(key));
      emu.driver.fund(account, usdc);
      return {
        id: w.id,
        account,
        table: { account },
        keystore: { identity: {}, secrets: { stark_private_key: hexSecret(key) } },
      };
    });
    const table = { rest_url: emu.url, request_timeout_ms: LOCAL_TIMEOUT_MS };
    return venueOf(table, out, symbols, (a, s) => emu.driver.position(a, s));
  };
}

/** the first vault (collateral position id) the written config uses on Extended */
const EXTENDED_FIRST_VAULT = 20_001;

/** Extended: per wallet a sub-account (a fresh API key, a vault, a fresh Stark key) opened and funded. */
export function extendedProvision(emu: ExtendedEmulator): Provision {
  const symbols = emu.driver.markets().map((m) => m.symbol);
  let made = 0;
  return async (wallets, usdc) => {
    const out: MadeWallet[] = wallets.map((w) => {
      const key = freshStarkKey();
      const apiKey = `emu-${randomBytes(12).toString("hex")}`;
      const vault = EXTENDED_FIRST_VAULT + made++;
      const starkKey = starkPublicOf(key);
      emu.driver.addAccount({ apiKey, vault, starkKey, usd: usdc });
      return {
        id: w.id,
        account: apiKey,
        table: { api_key: apiKey, vault, stark_key: starkKey },
        keystore: { identity: {}, secrets: { stark_private_key: hexSecret(key) } },
      };
    });
    const table = { rest_url: emu.url, request_timeout_ms: LOCAL_TIMEOUT_MS };
    return venueOf(table, out, symbols, (a, s) => emu.driver.position(a, s));
  };
}

/** the first sub-account id the written config uses on GRVT */
const GRVT_FIRST_SUB = 3_000_000_000_000_001n;

/**
 * GRVT: per wallet a sub-account credited and a fresh secp256k1 trading wallet allowed to log in
 * and trade it. `order_expiry_ms` (5 s) stays at or below `engine.send_expiry_ms`, as GRVT's
 * factory requires.
 */
export function grvtProvision(emu: GrvtEmulator, network: "mainnet" | "testnet"): Provision {
  const symbols = emu.driver.markets().map((m) => m.symbol);
  let made = 0n;
  return async (wallets, usdc) => {
    const out: MadeWallet[] = wallets.map((w) => {
      const key = randomBytes(32);
      const sub = String(GRVT_FIRST_SUB + made++);
      emu.driver.fund(sub, privateKeyToAddress(key, "emulated key").toLowerCase(), usdc);
      return {
        id: w.id,
        account: sub,
        table: { sub_account_id: sub },
        keystore: { identity: {}, secrets: { private_key: hexSecret(key) } },
      };
    });
    const table = { network, rest_url: emu.url, request_timeout_ms: LOCAL_TIMEOUT_MS, order_expiry_ms: 5000 };
    return venueOf(table, out, symbols, (a, s) => emu.driver.position(a, s));
  };
}
