import type { AccountBinding } from "../core/venue-account.ts";
import type { EgressOf } from "../engine/risk/rate-limiter.ts";
import type { Keystore } from "../wallets/keystore.ts";

/** the egress of an account with no proxy: the machine's own address */
export const DIRECT_EGRESS = "direct";

/**
 * Which outbound address each account's requests leave through, the key of a venue's per-IP
 * rate-limit buckets: accounts behind the same proxy share one bucket, accounts behind different
 * proxies (or none) do not. A proxy is named as the keystore shows it, without its password
 * (`proxy:http://user@host:port`): two wallets with the same proxy URL share it; the same host
 * with another user name is another egress (providers hand out a separate exit per user/session).
 */
export function egressFromKeystore(keystore: Pick<Keystore, "wallets">): EgressOf {
  const byWallet = new Map<string, string>();
  for (const w of keystore.wallets()) if (w.proxy !== undefined) byWallet.set(w.id, `proxy:${w.proxy}`);
  return (_venue, account) => byWallet.get(account) ?? DIRECT_EGRESS;
}

/**
 * The same from the venues' account bindings (their `egress`, "direct" when unset), per venue:
 * what a live node has once it bound its accounts. Accounts not bound leave direct.
 */
export function egressFromBindings(
  bindings: Iterable<readonly [venue: string, binding: AccountBinding]>,
): EgressOf {
  const byAccount = new Map<string, string>();
  for (const [venue, b] of bindings) byAccount.set(`${venue}\u0000${b.account}`, b.egress ?? DIRECT_EGRESS);
  return (venue, account) => byAccount.get(`${venue}\u0000${account}`) ?? DIRECT_EGRESS;
}
