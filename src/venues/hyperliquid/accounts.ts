/**
 * Bound accounts of the connector: a binding checked and turned into the addresses the protocol
 * needs (master, vault, the acting user, the signer's own address), and the health of the
 * account stream from every account's user socket.
 */
import { VenueRejectError } from "../../core/venue.ts";
import type { AccountBinding } from "../../core/venue-account.ts";
import type { AccountEvents } from "./account-events.ts";
import { type HlAccount, signerAddressOf } from "./exchange.ts";
import type { HlWs } from "./ws.ts";

export interface Bound {
  readonly a: HlAccount;
  readonly events: AccountEvents;
  /** its user-stream socket; undefined while it is polled (user-feeds.ts) */
  readonly ws: HlWs | undefined;
  /** when it was bound (clock ms): events before are history */
  readonly since: number;
}

const ADDRESS = /^0x[0-9a-f]{40}$/;

/** The account a binding describes, or VenueRejectError saying why it cannot trade here. */
export function accountOfBinding(venueId: string, binding: AccountBinding): HlAccount {
  const refuse = (reason: string, why: string): never => {
    throw new VenueRejectError(reason, `${venueId}: account "${binding.account}": ${why}`);
  };
  if (binding.account === "") refuse("invalid_account", "an account id is required");
  const signer = binding.signer;
  if (signer?.scheme !== "secp256k1")
    return refuse(
      "no_signer",
      "Hyperliquid signs every action: bind a secp256k1 signer (the agent key from the keystore)",
    );
  const master = binding.identity.address?.toLowerCase();
  if (master === undefined || !ADDRESS.test(master))
    return refuse("no_address", "identity.address must be the master account's 0x address");
  const vault = binding.identity.subAccount?.toLowerCase();
  if (vault !== undefined && !ADDRESS.test(vault))
    refuse("bad_vault", `identity.subAccount "${vault}" is not an address`);
  const signerAddress = signerAddressOf(signer);
  const agent = binding.identity.apiKeyId?.toLowerCase();
  if (agent !== undefined && agent !== signerAddress)
    refuse(
      "agent_mismatch",
      `the signer's address ${signerAddress} is not the agent ${agent} of the identity`,
    );
  return { account: binding.account, master, vault, user: vault ?? master, signer, signerAddress };
}

/**
 * Refuse a signing key that would not act for the account (VenueRejectError): the venue puts an
 * L1 action on the account of whoever signed it, so another wallet's agent key, or another
 * user's own key, would trade that other account; a key the venue does not know is an agent
 * that was never approved (or whose approval lapsed).
 */
export function checkSignerRole(
  venueId: string,
  a: HlAccount,
  known: { role: string; master?: string },
): void {
  const where = `${venueId}: account "${a.account}"`;
  const key = `the key signs as ${a.signerAddress}`;
  if (known.role === "agent" && known.master === a.master) return;
  if (known.role === "user" && a.signerAddress === a.master) return;
  if (known.role === "missing")
    throw new VenueRejectError(
      "unknown_signer",
      `${where}: ${key}, which the venue does not know: approve it as an API wallet of ${a.master} (perpbot hyperliquid approve-agent ${a.account}), or store the approved agent key`,
    );
  const whose =
    known.role === "agent"
      ? `an API wallet of ${known.master ?? "another account"}`
      : known.role === "user"
        ? "another account's own key"
        : `a ${known.role} address, which cannot sign`;
  throw new VenueRejectError(
    "wrong_key",
    `${where}: ${key}, ${whose}, not a key of ${a.master}: its orders would not trade this wallet; store ${a.account}'s own agent key`,
  );
}

/**
 * Ready when every streamed account's orderUpdates subscription is live (polled accounts are
 * read by the poller and do not hold it down); the newest message of any.
 */
export function accountStreamStatus(accounts: Iterable<Bound>): {
  ready: boolean;
  lastMessageTs: number | null;
} {
  let ready = false;
  let all = true;
  let last: number | null = null;
  for (const b of accounts) {
    ready = true;
    if (b.ws === undefined) continue;
    all &&= b.ws.isLive({ type: "orderUpdates", user: b.a.user });
    for (const type of ["orderUpdates", "userFills", "userFundings"]) {
      const t = b.ws.lastMessageTs({ type, user: b.a.user });
      if (t !== null && (last === null || t > last)) last = t;
    }
  }
  return { ready: ready && all, lastMessageTs: last };
}
