/**
 * `perpbot doctor` (docs/doctor.md): before a live run, is every configured venue and wallet ready
 * to trade? This side is venue-neutral: it decrypts each account's key from the keystore (the
 * "keys" rows), reads from the store what perpbot owns (its orders, and the positions its fills
 * add up to), collects the markets the strategies trade, and hands that to each venue folder's
 * `doctor` (src/venues/doctor-types.ts), which asks its venue. Paper venues have nothing to check.
 * Nothing here throws for a failed check: every problem is a row with what to do.
 */
import type { LoadedConfig } from "../../config/load.ts";
import { dataDirSection, modeSection } from "../../config/sections.ts";
import { type Clock, WallClock } from "../../core/clock.ts";
import type { AccountSigner } from "../../core/venue-account.ts";
import { StoreMissingError } from "../../store/errors.ts";
import type { DoctorAccount, DoctorCheck, DoctorStatus } from "../../venues/doctor-types.ts";
import {
  type LiveVenueConfig,
  liveVenueConfigs,
  liveVenueHint,
  venuesSection,
} from "../../venues/registry.ts";
import { KeystoreCorruptError, WrongPasswordError } from "../../wallets/errors.ts";
import { type Keystore, openKeystore } from "../../wallets/keystore.ts";
import { signerFromKeystore } from "../../wallets/signer.ts";
import { withStore } from "../service/open.ts";
import { ownedByPerpbot, tradedMarkets } from "./owned.ts";

export type { DoctorCheck, DoctorStatus } from "../../venues/doctor-types.ts";

export interface DoctorRequest {
  readonly config: LoadedConfig;
  readonly keystorePath: string;
  /** asked only when a venue has accounts whose keys must decrypt */
  readonly password: () => Promise<string>;
  /** the accepted clock difference with each venue (default 2000 ms) */
  readonly maxSkewMs?: number;
  readonly clock?: Clock;
}

export interface DoctorReport {
  readonly mode: "paper" | "live" | "sandbox";
  /** true when no row failed */
  readonly ok: boolean;
  readonly counts: Readonly<Record<DoctorStatus, number>>;
  readonly checks: readonly DoctorCheck[];
}

export const DEFAULT_MAX_SKEW_MS = 2000;

export async function runDoctor(r: DoctorRequest): Promise<DoctorReport> {
  const mode = modeSection.get(r.config.values);
  const venues = liveVenueConfigs(venuesSection.get(r.config.values));
  const checks: DoctorCheck[] = [];
  if (mode === "paper")
    checks.push({
      venue: "sim",
      wallet: null,
      check: "paper",
      status: "ok",
      detail: "paper: nothing to check (the simulated venues need no keys and no connection)",
    });
  if (mode === "sandbox")
    checks.push({
      venue: "sandbox",
      wallet: null,
      check: "sandbox",
      status: "ok",
      detail:
        'sandbox: simulated fills on the venues\' public market data; no keys, accounts or orders to check (run with mode = "live" to check them)',
    });
  if (venues.length === 0 && mode === "live")
    checks.push({
      venue: "config",
      wallet: null,
      check: "venues",
      status: "fail",
      detail: 'mode = "live" but no live venue lists an account',
      fix: `add ${liveVenueHint()}`,
    });
  if (venues.length > 0 && mode !== "sandbox") {
    const keys = await decryptKeys(r, venues);
    checks.push(...keys.rows);
    const owned = await ownedByPerpbot((fn) =>
      withStore(r.config, fn, { readOnly: true }).catch((e: unknown) => {
        // no store yet: perpbot has never traded, so it owns nothing on any venue
        if (e instanceof StoreMissingError) return undefined;
        throw e;
      }),
    );
    const markets = tradedMarkets(r.config.values);
    for (const v of venues) {
      const accounts: DoctorAccount[] = v.accounts.map((a) => ({
        account: a.account,
        identity: a.identity,
        signsAsMaster: a.signer.venue === undefined,
        signer: keys.signers.get(`${v.kind}\u0000${a.account}`),
        ownedOrders: owned.orders(v.kind, a.account),
        ownedPositions: owned.positions(v.kind, a.account),
      }));
      if (v.factory.doctor === undefined) {
        checks.push({
          venue: v.kind,
          wallet: null,
          check: "venue",
          status: "skip",
          detail: `no doctor checks for ${v.kind} yet`,
        });
        continue;
      }
      checks.push(
        ...(await v.factory.doctor(v.config, {
          clock: r.clock ?? new WallClock(),
          accounts,
          markets,
          maxSkewMs: r.maxSkewMs ?? DEFAULT_MAX_SKEW_MS,
          dataDir: dataDirSection.get(r.config.values),
        })),
      );
    }
  }
  const counts: Record<DoctorStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) counts[c.status] += 1;
  return { mode, ok: counts.fail === 0, counts, checks };
}

/** The "keys" row of every account, and the signers that decrypted (by kind and account). */
async function decryptKeys(
  r: DoctorRequest,
  venues: readonly LiveVenueConfig[],
): Promise<{ rows: DoctorCheck[]; signers: Map<string, AccountSigner> }> {
  const rows: DoctorCheck[] = [];
  const signers = new Map<string, AccountSigner>();
  const everyAccount = (status: DoctorStatus, detail: string, fix: string) => {
    for (const v of venues)
      for (const a of v.accounts)
        rows.push({ venue: v.kind, wallet: a.account, check: "keys", status, detail, fix });
  };
  let keystore: Keystore;
  try {
    keystore = await openKeystore(r.keystorePath, await r.password());
  } catch (e) {
    if (e instanceof WrongPasswordError)
      everyAccount(
        "fail",
        `keystore ${r.keystorePath}: the password does not open it`,
        "give the password the keystore was created with ($PERPBOT_KEYSTORE_PASSWORD or --password-file)",
      );
    else if (e instanceof KeystoreCorruptError)
      everyAccount("fail", (e as Error).message, "restore the keystore from your backup (docs/keystore.md)");
    else
      everyAccount(
        "fail",
        `keystore ${r.keystorePath}: ${(e as Error).message}`,
        "create it and add the wallets' keys: `perpbot keys init`, `perpbot keys add <wallet> …` (docs/keystore.md)",
      );
    return { rows, signers };
  }
  try {
    for (const v of venues)
      for (const a of v.accounts) {
        const what =
          a.signer.venue === undefined ? "the wallet's own key" : `${a.signer.venue}.${a.signer.field}`;
        try {
          signers.set(`${v.kind}\u0000${a.account}`, await signerFromKeystore(keystore, a.signer));
          rows.push({
            venue: v.kind,
            wallet: a.account,
            check: "keys",
            status: "ok",
            detail: `${what} decrypts`,
          });
        } catch (e) {
          const add =
            a.signer.venue === undefined
              ? `perpbot keys add ${a.account} --key`
              : `perpbot keys add ${a.account} --venue ${a.signer.venue} --secret ${a.signer.field}`;
          rows.push({
            venue: v.kind,
            wallet: a.account,
            check: "keys",
            status: "fail",
            detail: `${what}: ${(e as Error).message}`,
            fix: `store it: run \`${add}\``,
          });
        }
      }
  } finally {
    keystore.close();
  }
  return { rows, signers };
}
