/**
 * Hyperliquid account set-up, for `perpbot hyperliquid approve-agent`: the wallet's own key in the
 * keystore (the master) signs the approval of the wallet's agent key (the keystore field the
 * config names), so perpbot trades with the agent key and never needs the master key again.
 */
import type { ConfigValues } from "../config/registry.ts";
import { dataDirSection } from "../config/sections.ts";
import { type ApproveAgentResult, approveAgent } from "../venues/hyperliquid/approve.ts";
import { endpointsOf, signerSourceOf } from "../venues/hyperliquid/config.ts";
import { signerAddressOf } from "../venues/hyperliquid/exchange.ts";
import { hyperliquidVenueFactory, nonceFileIn, sharedNonceManager } from "../venues/hyperliquid/factory.ts";
import { venueConfigOf } from "../venues/registry.ts";
import { KeystoreUsageError } from "../wallets/errors.ts";
import { openKeystore } from "../wallets/keystore.ts";
import { signerFromKeystore } from "../wallets/signer.ts";

export interface ApproveAgentRequest {
  readonly values: ConfigValues;
  readonly keystorePath: string;
  readonly password: string;
  readonly wallet: string;
  readonly name?: string;
}

export interface ApproveAgentReport extends ApproveAgentResult {
  readonly wallet: string;
  readonly network: "mainnet" | "testnet";
  readonly url: string;
}

export async function approveHyperliquidAgent(r: ApproveAgentRequest): Promise<ApproveAgentReport> {
  const hl = venueConfigOf(r.values, hyperliquidVenueFactory);
  const w = hl.wallets[r.wallet];
  const where = `hyperliquid wallet ${r.wallet}`;
  if (w === undefined)
    throw new KeystoreUsageError(
      `${where} is not configured: add [venues.hyperliquid.wallets.${r.wallet}] with its master address (configured: ${Object.keys(hl.wallets).join(", ") || "none"})`,
    );
  const source = signerSourceOf(r.wallet, w);
  if (source.venue === undefined)
    throw new KeystoreUsageError(
      `${where}: agent_key = "master" signs with the master key itself, there is no agent to approve`,
    );
  const ends = endpointsOf(hl);
  const ks = await openKeystore(r.keystorePath, r.password);
  try {
    const master = await signerFromKeystore(ks, { walletId: r.wallet, scheme: "secp256k1" });
    const masterAddress = signerAddressOf(master);
    if (masterAddress !== w.address.toLowerCase())
      throw new KeystoreUsageError(
        `${where}: the keystore key of wallet ${r.wallet} is ${masterAddress}, but the config's address is ${w.address}: approve with the master account's own key`,
      );
    const agent = await signerFromKeystore(ks, source);
    const result = await approveAgent({
      url: ends.url,
      mainnet: ends.mainnet,
      master,
      agentAddress: signerAddressOf(agent),
      agentName: r.name,
      nonces: sharedNonceManager(nonceFileIn(dataDirSection.get(r.values))),
      timeoutMs: hl.timeout_ms,
      wallet: r.wallet,
    });
    return { ...result, wallet: r.wallet, network: ends.mainnet ? "mainnet" : "testnet", url: ends.url };
  } finally {
    ks.close();
  }
}
