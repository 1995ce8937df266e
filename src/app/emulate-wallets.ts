/**
 * Funded accounts on a running emulator for `perpbot emulate all --write-config`: for each
 * wallet, what the venue needs (a fresh API key or agent, the account funded and the key
 * approved or registered on the emulator), the `[venues.<kind>]` and
 * `[venues.<kind>.wallets.<id>]` keys of perpbot.toml, and the wallet's keystore entry for the
 * venue (the same secret fields the venue's docs and live tests use).
 */
import { randomBytes } from "node:crypto";
import type { AsterEmulator } from "../venues/aster/emulator/start.ts";
import type { BackpackEmulator } from "../venues/backpack/emulator/start.ts";
import { apiKeyOf } from "../venues/backpack/signing.ts";
import type { EdgexEmulator } from "../venues/edgex/emulator/start.ts";
import type { HyperliquidEmulator } from "../venues/hyperliquid/emulator/start.ts";
import type { LighterEmulator } from "../venues/lighter/emulator/start.ts";
import { generateApiKey } from "../venues/lighter/signing.ts";
import { privateKeyToAddress } from "../wallets/address.ts";
import type { NewVenueAccount } from "../wallets/edit.ts";
import { signerFromKeyBytes } from "../wallets/signer.ts";

/** A perpbot wallet to give an account on every emulated venue: its id and main (EVM) address. */
export interface EmulatedWallet {
  readonly id: string;
  /** the address of the wallet's own key (the keystore's `key`), lower case */
  readonly address: string;
}

export type TomlScalar = string | number | boolean | readonly string[];

/** One venue's part of the written config and keystore. */
export interface ProvisionedVenue {
  /** the keys of `[venues.<kind>]` (endpoints and settings; no wallets) */
  readonly table: Readonly<Record<string, TomlScalar>>;
  readonly wallets: readonly {
    readonly id: string;
    /** the keys of `[venues.<kind>.wallets.<id>]` */
    readonly table: Readonly<Record<string, TomlScalar>>;
    /** the wallet's keystore entry for the venue */
    readonly keystore: NewVenueAccount;
  }[];
  /** every position the provisioned accounts hold on the emulator (none: all flat) */
  openPositions(): readonly OpenPosition[];
}

export interface OpenPosition {
  readonly wallet: string;
  readonly symbol: string;
  /** signed, decimal text */
  readonly size: string;
}

/** The non-zero positions of `wallets` on `symbols`, read with `position(account of wallet, symbol)`. */
function positionsOf(
  wallets: readonly { readonly id: string; readonly account: string }[],
  symbols: readonly string[],
  position: (account: string, symbol: string) => string,
): () => OpenPosition[] {
  return () =>
    wallets.flatMap((w) =>
      symbols
        .map((symbol) => ({ wallet: w.id, symbol, size: position(w.account, symbol) }))
        .filter((p) => Number(p.size) !== 0),
    );
}

/** A provisioned wallet with its account's name on the emulator (what the driver's `position` takes). */
export type MadeWallet = ProvisionedVenue["wallets"][number] & { readonly account: string };

/** The venue's part from its table, the wallets made and how to read their positions. */
export function venueOf(
  table: ProvisionedVenue["table"],
  made: readonly MadeWallet[],
  symbols: readonly string[],
  position: (account: string, symbol: string) => string,
): ProvisionedVenue {
  return {
    table,
    wallets: made.map(({ account: _a, ...w }) => w),
    openPositions: positionsOf(made, symbols, position),
  };
}

/** How a running emulator makes funded accounts for the config writer. */
export type Provision = (wallets: readonly EmulatedWallet[], usdc: number) => Promise<ProvisionedVenue>;

export const hexSecret = (bytes: Buffer) => ({ bytes, encoding: "hex" as const });

/**
 * A venue whose account is the wallet's own address, trading with a fresh secp256k1 key the
 * venue approves for it (an agent, an API wallet): `approve(address, key's address)`, the key
 * stored hex in the keystore field `secret`.
 */
function delegatedKeyProvision(o: {
  readonly table: ProvisionedVenue["table"];
  readonly symbols: readonly string[];
  readonly position: (address: string, symbol: string) => string;
  readonly fund: (address: string, usdc: number) => void;
  readonly approve: (address: string, keyAddress: string) => void;
  readonly secret: string;
}): Provision {
  return async (wallets, usdc) => {
    const made = wallets.map((w) => {
      const key = randomBytes(32);
      o.fund(w.address, usdc);
      o.approve(w.address, privateKeyToAddress(key, "emulated key").toLowerCase());
      return {
        id: w.id,
        account: w.address,
        table: { address: w.address },
        keystore: { identity: {}, secrets: { [o.secret]: hexSecret(key) } },
      };
    });
    return venueOf(o.table, made, o.symbols, o.position);
  };
}

/** Hyperliquid: the wallet's address is the master; a fresh agent key approved as "perpbot". */
export function hyperliquidProvision(emu: HyperliquidEmulator, mainnet: boolean): Provision {
  return delegatedKeyProvision({
    table: { url: emu.url, testnet: !mainnet },
    symbols: emu.driver.coins().map((c) => c.name),
    position: (a, s) => emu.driver.position(a, s),
    fund: (a, usdc) => emu.driver.fund(a, usdc),
    approve: (a, agent) => emu.driver.approveAgent(a, agent, "perpbot"),
    secret: "agent_private_key",
  });
}

/** Aster: the wallet's address is the V3 user; a fresh API wallet approved for it. */
export function asterProvision(emu: AsterEmulator): Provision {
  return delegatedKeyProvision({
    table: { rest_url: emu.url, ws_url: emu.wsUrl },
    symbols: emu.driver.markets().map((m) => m.symbol),
    position: (a, s) => emu.driver.position(a, s),
    fund: (a, usdc) => emu.driver.fund(a, usdc),
    approve: (a, signer) => emu.driver.approveSigner(a, signer),
    secret: "api_wallet_private_key",
  });
}

/** Backpack: a fresh ed25519 API key per wallet, its account funded; the secret as Backpack shows it (base64). */
export function backpackProvision(emu: BackpackEmulator): Provision {
  const symbols = emu.driver.markets().map((m) => m.symbol);
  return async (wallets, usdc) => {
    const out = wallets.map((w) => {
      const seed = randomBytes(32);
      const apiKey = apiKeyOf(signerFromKeyBytes("ed25519", seed, "emulated wallet"));
      emu.driver.fund(apiKey, usdc);
      const secret = Buffer.from(seed.toString("base64"), "utf8");
      seed.fill(0);
      return {
        id: w.id,
        account: apiKey,
        table: { api_key: apiKey },
        keystore: { identity: {}, secrets: { api_secret: { bytes: secret, encoding: "utf8" as const } } },
      };
    });
    const table = { rest_url: emu.url, ws_url: emu.wsUrl };
    return venueOf(table, out, symbols, (a, s) => emu.driver.position(a, s));
  };
}

/** the API key index the written config uses (as the Lighter live tests do) */
const LIGHTER_API_KEY_INDEX = 3;

/** Lighter: a new account for the wallet's address (its L1), a fresh API key registered at index 3. */
export function lighterProvision(emu: LighterEmulator, network: "mainnet" | "testnet"): Provision {
  const symbols = emu.driver.markets().map((m) => m.symbol);
  return async (wallets, usdc) => {
    const out: MadeWallet[] = [];
    for (const w of wallets) {
      const index = emu.driver.createAccount(w.address, usdc);
      const key = await generateApiKey();
      emu.driver.registerKey(index, LIGHTER_API_KEY_INDEX, key.publicKeyHex);
      const secret = Buffer.from(key.privateKey);
      key.privateKey.fill(0);
      out.push({
        id: w.id,
        account: String(index),
        table: { account_index: index, api_key_index: LIGHTER_API_KEY_INDEX, l1_address: w.address },
        keystore: {
          identity: { account_index: String(index), api_key_index: String(LIGHTER_API_KEY_INDEX) },
          secrets: { api_private_key: hexSecret(secret) },
        },
      });
    }
    const table = { network, rest_url: emu.url, ws_url: emu.wsUrl };
    return venueOf(table, out, symbols, (a, s) => emu.driver.position(Number(a), s));
  };
}

/**
 * EdgeX: per wallet an account the emulator registers, with API credentials made up for it (key,
 * passphrase, HMAC secret text) and a fresh trading key (secp256k1) signing its orders; the
 * secret, passphrase and trading key go to the keystore.
 */
export function edgexProvision(emu: EdgexEmulator): Provision {
  const symbols = emu.driver.contracts().map((c) => c.symbol);
  let made = 0;
  return async (wallets, usdc) => {
    const out = wallets.map((w) => {
      const tradingKey = randomBytes(32);
      const accountId = String(543_429_922_866_000_000n + BigInt(++made));
      const apiKey = `emu-${randomBytes(8).toString("hex")}`;
      const passphrase = randomBytes(8).toString("hex");
      const secret = randomBytes(24).toString("base64");
      emu.driver.register({
        accountId,
        apiKey,
        passphrase,
        secret,
        tradingAddress: privateKeyToAddress(tradingKey, "emulated key").toLowerCase(),
        usd: usdc,
      });
      return {
        id: w.id,
        account: accountId,
        // the passphrase is a secret: the keystore's api_passphrase, never the config
        table: { account_id: accountId, api_key: apiKey },
        keystore: {
          identity: {},
          secrets: {
            trading_private_key: hexSecret(tradingKey),
            api_secret: { bytes: Buffer.from(secret, "utf8"), encoding: "utf8" as const },
            api_passphrase: { bytes: Buffer.from(passphrase, "utf8"), encoding: "utf8" as const },
          },
        },
      };
    });
    const table = { rest_url: emu.url, ws_url: emu.wsUrl };
    return venueOf(table, out, symbols, (a, s) => emu.driver.position(a, s));
  };
}
