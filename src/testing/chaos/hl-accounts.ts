/**
 * The chaos test's Hyperliquid wallets, known to the runner (which funds them and approves their
 * agents on the emulator) and to every worker life (which signs with the agent keys): fixed test
 * keys, never funded anywhere but the emulator.
 */

import type { AccountSigner } from "../../core/venue-account.ts";
import { signerAddressOf } from "../../venues/hyperliquid/exchange.ts";
import { signerFromKeyBytes } from "../../wallets/signer.ts";

export const HL_WALLETS = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"] as const;

const masterKey = (i: number) => Buffer.alloc(32, 0x61 + i);
const agentKey = (i: number) => Buffer.alloc(32, 0x71 + i);

export interface HlChaosAccount {
  readonly wallet: string;
  /** the master account (where the USDC is), lower case */
  readonly master: string;
  /** the approved agent that signs the wallet's orders */
  readonly agent: string;
  agentSigner(): AccountSigner;
}

export function hlChaosAccounts(): HlChaosAccount[] {
  return HL_WALLETS.map((wallet, i) => {
    const agentSigner = () => signerFromKeyBytes("secp256k1", agentKey(i), `chaos ${wallet} agent`);
    return {
      wallet,
      master: signerAddressOf(signerFromKeyBytes("secp256k1", masterKey(i), `chaos ${wallet}`)).toLowerCase(),
      agent: signerAddressOf(agentSigner()).toLowerCase(),
      agentSigner,
    };
  });
}
