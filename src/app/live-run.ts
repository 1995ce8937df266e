/**
 * `perpbot run --live` (mode = "live"): the configured strategies on the live venues of
 * `[venues.<kind>]` that list accounts, built through the venue registry, each account bound
 * with its signing key from the keystore. The same composition as paper (store, strategy node,
 * alerts, control poller); only the venues differ. Nothing here names a venue: what a kind needs
 * (its accounts, whether it is real money, its checks against the engine) comes from its factory.
 */
import type { ConfigIssue } from "../config/env.ts";
import { ConfigError } from "../config/errors.ts";
import type { LoadedConfig, Origin } from "../config/load.ts";
import { dataDirSection } from "../config/sections.ts";
import { type TimerHandle, WallClock } from "../core/clock.ts";
import { PerpbotError } from "../core/errors.ts";
import { type Venue, VenueRejectError, VenueUnknownOutcomeError } from "../core/venue.ts";
import { noticesOf } from "../core/venue-notices.ts";
import { pointsOf, publishesPoints } from "../core/venue-points.ts";
import { engineSection, engineSettingsFrom } from "../engine/config.ts";
import { checkInstrumentCaps } from "../engine/instrument-caps.ts";
import type { Store } from "../store/store.ts";
import {
  createVenue,
  type LiveVenueConfig,
  liveVenueConfigs,
  liveVenueHint,
  venuesSection,
} from "../venues/registry.ts";
import { openKeystore } from "../wallets/keystore.ts";
import { signerFromKeystore } from "../wallets/signer.ts";
import { holdBooksLive } from "./live-streams.ts";
import { type Run, type RunSurfaceOptions, startRun } from "./run-core.ts";
import { clearVenueNotices, writeVenueNotices } from "./service/venue-notices.ts";
import { readStoredVenuePoints, writeVenuePoints } from "./service/venue-points.ts";
import { claimStoreFor } from "./store-mode.ts";

export interface LivePlan {
  readonly venues: readonly LiveVenueConfig[];
  /** the venue kinds whose config trades real money (mainnet): the run asks before it starts */
  readonly realMoney: readonly string[];
}

const originText = (o: Origin) =>
  o.kind === "env" ? `env ${o.name}` : o.kind === "file" ? o.file : "default";

/**
 * What a live run will trade, checked before anything connects: at least one venue with
 * accounts, and each venue's config fitting the engine's settings. ConfigError (exit 2) otherwise.
 */
export function checkLiveConfig(config: LoadedConfig): LivePlan {
  const venues = liveVenueConfigs(venuesSection.get(config.values));
  const issue = (path: string, message: string): ConfigIssue => ({
    path,
    message,
    origin: originText(config.originOf(path)),
  });
  if (venues.length === 0)
    throw new ConfigError([
      issue("venues", `mode = "live" needs a live venue with accounts to trade: add ${liveVenueHint()}`),
    ]);
  const engine = engineSettingsFrom(engineSection.get(config.values));
  const issues = venues.flatMap((v) =>
    (v.factory.liveProblems?.(v.config, engine) ?? []).map((p) => issue(p.path, p.message)),
  );
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    venues,
    realMoney: venues.filter((v) => v.factory.realMoney?.(v.config) === true).map((v) => v.kind),
  };
}

export interface LiveRunOptions extends RunSurfaceOptions {
  readonly config: LoadedConfig;
  readonly plan: LivePlan;
  readonly keystorePath: string;
  readonly password: string;
}

/** A running live process: what `perpbot run --live` prints and stops. */
export type LiveRun = Run;

/** Build, connect and bind every live venue; on any failure close what was opened. */
async function connectVenues(o: LiveRunOptions, clock: WallClock): Promise<Map<string, Venue>> {
  const venues = new Map<string, Venue>();
  const dataDir = dataDirSection.get(o.config.values);
  const keystore = await openKeystore(o.keystorePath, o.password);
  try {
    for (const v of o.plan.venues) {
      const venue = createVenue(v.kind, v.config, { clock, dataDir }, `venues.${v.kind}`);
      venues.set(venue.id, venue);
      await venue.connect().catch((e: unknown) => {
        // no answer, or the venue's refusal (429: this address spent its weight): the user's to
        // wait out or fix, one line; anything else is a bug and keeps its stack
        if (e instanceof VenueUnknownOutcomeError || e instanceof VenueRejectError)
          throw new PerpbotError(
            "live_start",
            `${v.kind}: cannot connect: ${e.message}${e instanceof VenueUnknownOutcomeError && e.kind === "rate_limited" ? " (the venue rate-limits this address: wait a minute and start again)" : ""}`,
            { cause: e },
          );
        throw e;
      });
      for (const a of v.accounts) {
        // each wallet's key is decrypted into its signer here; the keystore closes below
        const signer = await signerFromKeystore(keystore, a.signer).catch((e: unknown) => {
          throw new PerpbotError("live_start", `${v.kind} wallet ${a.account}: ${(e as Error).message}`, {
            cause: e,
          });
        });
        await venue.bindAccount({ account: a.account, identity: a.identity, signer }).catch((e: unknown) => {
          const key = a.signer.field ? `keystore field ${a.signer.field}` : "the wallet's own key";
          const msg = `${v.kind} wallet ${a.account} (signing with ${key}): ${(e as Error).message}`;
          // the venue's answer (a key it does not know, another wallet's key) or no answer is the
          // user's to fix: one line; anything else is a bug and keeps its stack
          if (
            e instanceof VenueRejectError ||
            e instanceof VenueUnknownOutcomeError ||
            e instanceof PerpbotError
          )
            throw new PerpbotError("live_start", msg, { cause: e });
          throw new Error(msg, { cause: e });
        });
      }
    }
    return venues;
  } catch (e) {
    await Promise.allSettled([...venues.values()].map((v) => v.close()));
    throw e;
  } finally {
    keystore.close();
  }
}

/** every this often the venues' notices are stored for `perpbot status` */
const NOTICES_EVERY_MS = 5_000;

/** Store the venues' notices (and points) now and every few seconds; the returned stop drops the notices. */
function keepVenueNotices(store: Store, venues: ReadonlyMap<string, Venue>, clock: WallClock) {
  let timer: TimerHandle | undefined;
  // the venues with a points endpoint (Lighter's): status says "n/a" for the others
  const sources = [...venues.values()].filter(publishesPoints).map((v) => v.id);
  const writePoints = async () => {
    // as the venues last read them (each venue keeps to its own rate limit: this sends nothing)
    if (sources.length === 0) return;
    const fresh = [...venues.values()].flatMap(pointsOf);
    // a wallet not read yet in this run keeps what an earlier run read
    const key = (p: { venue: string; account: string }) => `${p.venue}|${p.account}`;
    const now = new Set(fresh.map(key));
    const earlier = (await readStoredVenuePoints(store).catch(() => ({ points: [] }))).points;
    const points = [...fresh, ...earlier.filter((p) => !now.has(key(p)))];
    await writeVenuePoints(store, points, Date.now(), sources).catch(() => undefined);
  };
  const write = async () => {
    await writeVenueNotices(store, [...venues.values()].flatMap(noticesOf), Date.now()).catch(
      () => undefined,
    );
    await writePoints();
  };
  const loop = () => {
    void write();
    timer = clock.after(NOTICES_EVERY_MS, loop);
  };
  loop();
  return async () => {
    if (timer) clock.cancel(timer);
    // the last values read stay for the report of the run
    await writePoints();
    await clearVenueNotices(store).catch(() => undefined);
  };
}

/** how long a live run waits for its books to stream before the strategies start */
const BOOKS_LIVE_WITHIN_MS = 10_000;

/** `hyperliquid: book:BTC ok, trades:BTC ok, …`: the health of a venue's streams, for the status. */
export function streamLine(venue: Venue): string {
  const parts = venue.streams().map((s) => `${s.stream} ${s.ready ? (s.stale ? "stale" : "ok") : "down"}`);
  return `${venue.id}: ${parts.join(", ") || "no streams"}`;
}

/**
 * `perpbot run --live`: run-core.ts (runner lock, store, strategy node, alerts, control, API) on
 * the live venues, connected and bound before any strategy starts.
 */
export function startLiveRun(o: LiveRunOptions): Promise<LiveRun> {
  const { config } = o;
  return startRun(config.values, o, async (store) => {
    const clock = new WallClock();
    await claimStoreFor("live", store, config, clock.now());
    const venues = await connectVenues(o, clock);
    const stopNotices = keepVenueNotices(store, venues, clock);
    let books: Awaited<ReturnType<typeof holdBooksLive>>;
    try {
      checkInstrumentCaps(
        config,
        [...venues.values()].flatMap((v) => v.instruments().map((i) => i.key)),
      );
      books = await holdBooksLive(venues, clock, BOOKS_LIVE_WITHIN_MS);
    } catch (e) {
      await Promise.allSettled([...venues.values()].map((v) => v.close()));
      throw e;
    }
    if (books.notLive.length > 0)
      o.say?.(
        `warning: no book yet after ${BOOKS_LIVE_WITHIN_MS / 1000} s on ${books.notLive.join(", ")}: opens there wait until it streams`,
      );
    const networks = o.plan.venues
      .map(
        (v) =>
          `${v.kind} ${v.factory.network?.(v.config) ?? (v.factory.realMoney?.(v.config) ? "MAINNET" : "testnet")}`,
      )
      .join(", ");
    return {
      venues,
      wallets: [...new Set(o.plan.venues.flatMap((v) => v.accounts.map((a) => a.account)))],
      clock,
      header: `perpbot LIVE: ${networks}`,
      marketLines: () => [...venues.values()].map(streamLine),
      async close() {
        await stopNotices();
        books.release();
        await Promise.allSettled([...venues.values()].map((v) => v.close()));
      },
    };
  });
}
