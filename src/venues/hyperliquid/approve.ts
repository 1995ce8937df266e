/**
 * `approveAgent` (HLd "Nonces and API wallets"; VENUES.md §1.1): the master key signs, as a
 * user-signed EIP-712 action, that an agent address may sign L1 actions for it. The master key
 * signs nothing else in perpbot; trading uses the agent key. The nonce is the master's own
 * sequence (a user-signed action's `nonce` is also the body's).
 */
import { VenueRejectError, VenueUnknownOutcomeError } from "../../core/venue.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { signerAddressOf, toHlSignature } from "./exchange.ts";
import { HlHttp } from "./http.ts";
import type { NonceManager } from "./nonce.ts";
import { DEFAULT_SIGNATURE_CHAIN_ID, userSignedDigest } from "./signing.ts";

export interface ApproveAgentArgs {
  readonly url: string;
  readonly mainnet: boolean;
  /** the master account's key (the wallet's own key in the keystore) */
  readonly master: AccountSigner;
  readonly agentAddress: string;
  /** a named agent replaces an earlier one of that name; unnamed: the one unnamed slot */
  readonly agentName?: string;
  readonly nonces: NonceManager;
  readonly timeoutMs?: number;
  /** for messages: the perpbot wallet id */
  readonly wallet: string;
}

export interface ApproveAgentResult {
  readonly master: string;
  readonly agent: string;
  readonly name: string | undefined;
}

export async function approveAgent(args: ApproveAgentArgs): Promise<ApproveAgentResult> {
  const where = `hyperliquid wallet ${args.wallet}: approveAgent`;
  if (!/^0x[0-9a-fA-F]{40}$/.test(args.agentAddress))
    throw new VenueRejectError(
      "bad_agent",
      `${where}, field agentAddress: "${args.agentAddress}" is not an address`,
    );
  const master = signerAddressOf(args.master);
  const agent = args.agentAddress.toLowerCase();
  if (agent === master)
    throw new VenueRejectError("bad_agent", `${where}: the agent key is the master key itself`);
  const nonce = args.nonces.next(master);
  const action: Record<string, unknown> = {
    type: "approveAgent",
    signatureChainId: DEFAULT_SIGNATURE_CHAIN_ID,
    hyperliquidChain: args.mainnet ? "Mainnet" : "Testnet",
    agentAddress: agent,
    // an unnamed agent signs agentName "" and the posted action omits the key (the Python SDK)
    agentName: args.agentName ?? "",
    nonce,
  };
  const signature = toHlSignature(await args.master.sign(userSignedDigest("approveAgent", action)));
  if (args.agentName === undefined) delete action.agentName;
  const http = new HlHttp({ baseUrl: args.url, timeoutMs: args.timeoutMs });
  const out = await http.exchange(JSON.stringify({ action, nonce, signature }));
  if (out.kind === "unavailable")
    throw new VenueUnknownOutcomeError("unavailable", `${where}: ${out.detail}`);
  if (out.kind === "unknown")
    throw new VenueUnknownOutcomeError(
      out.reason,
      `${where}: outcome unknown (${out.detail}); run it again, it is idempotent`,
    );
  if (out.value.status === "err")
    throw new VenueRejectError(
      "approve_refused",
      `${where}: refused: ${out.value.response} (the master ${master} must hold funds on ${args.mainnet ? "mainnet" : "testnet"})`,
    );
  return { master, agent, name: args.agentName };
}
