/** What `perpbot emulate` passes to a venue's emulator start, and what the start returns. */
import type { Provision } from "./emulate-wallets.ts";

export interface EmulateOptions {
  readonly port: number;
  /** accept mainnet signatures (phantom agent source "a") instead of testnet ones */
  readonly mainnet?: boolean;
  /** accounts funded at start, with their USDC */
  readonly fund?: readonly { readonly address: string; readonly usdc: number }[];
  /**
   * the mark of each underlying ("BTC": 97000) where the venue's default differs, so that every
   * emulator of `perpbot emulate all` quotes one price per underlying
   */
  readonly marks?: Readonly<Record<string, number>>;
  /**
   * request budgets far above the venue's own (`perpbot emulate all`: a dozen wallets on one
   * IP); the default is the venue's published limits
   */
  readonly generousLimits?: boolean;
}

export interface RunningEmulator {
  /** what it is, for the start-up line ("hyperliquid emulator (testnet signatures)") */
  readonly label: string;
  readonly url: string;
  readonly wsUrl: string;
  readonly coins: readonly string[];
  /**
   * Funded accounts for wallets, with their config and keystore entries (emulate-wallets.ts), for
   * `perpbot emulate all --write-config`; absent: the venue is left out of the written config.
   */
  readonly provision?: Provision;
  close(): Promise<void>;
}
