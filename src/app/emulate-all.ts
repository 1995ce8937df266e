/**
 * `perpbot emulate all`: every emulator of EMULATED_VENUES at once, each on its own free
 * loopback port, and (`--write-config`) a perpbot.toml and keystore for a live run against them:
 * one `[venues.<kind>]` table per emulated venue that has a live connector, the same wallets on
 * each (a fresh key per wallet, an account funded and its API key approved or registered on each
 * emulator), and a farm in cross-venue pairs. Generic over the registries: a venue takes part
 * when its emulator is in EMULATED_VENUES with a `provision` and its factory in the venue
 * registry lists live accounts; one without is started and left out of the config with a note.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { stringify } from "smol-toml";
import { venueFactory, venueKinds } from "../venues/registry.ts";
import { privateKeyToAddress } from "../wallets/address.ts";
import { addWallets, createKeystore, type NewVenueAccount } from "../wallets/edit.ts";
import type { KdfParams } from "../wallets/payload.ts";
import { EMULATED_VENUES, type RunningEmulator } from "./emulate.ts";
import type { EmulatedWallet, OpenPosition, ProvisionedVenue } from "./emulate-wallets.ts";

/** One price per underlying on every emulator (Hyperliquid's defaults), so a cross-venue pair's legs trade at one price. */
export const COMMON_MARKS: Readonly<Record<string, number>> = { BTC: 97_000, ETH: 3_500, SOL: 200 };

export interface StartedEmulator {
  readonly kind: string;
  readonly emulator: RunningEmulator;
}

/** Start every emulator in EMULATED_VENUES on a free port; if one fails, the started ones are closed. */
export async function startAllEmulators(
  opts: { readonly mainnet?: boolean } = {},
): Promise<StartedEmulator[]> {
  const started: StartedEmulator[] = [];
  for (const [kind, spec] of Object.entries(EMULATED_VENUES)) {
    try {
      const emulator = await spec.start({
        port: 0,
        mainnet: opts.mainnet,
        marks: COMMON_MARKS,
        generousLimits: true,
      });
      started.push({ kind, emulator });
    } catch (e) {
      await closeAllEmulators(started);
      throw new Error(`emulate all: the ${kind} emulator did not start: ${(e as Error).message}`);
    }
  }
  return started;
}

export async function closeAllEmulators(started: readonly StartedEmulator[]): Promise<void> {
  await Promise.allSettled(started.map((s) => s.emulator.close()));
}

/** The start-up line of one emulator: kind, label, URL, WebSocket URL, markets. */
export function emulatorLine(s: StartedEmulator): string {
  const e = s.emulator;
  return `${s.kind}: ${e.label} on ${e.url}  ws ${e.wsUrl}  markets ${e.coins.join(", ")}`;
}

/** Why a started emulator is left out of the written config, or undefined when it is in. */
export function notConfigurable(s: StartedEmulator): string | undefined {
  const live = venueKinds().includes(s.kind) && venueFactory(s.kind).liveAccounts !== undefined;
  if (!live) return `no live connector for ${s.kind} yet (no factory in src/venues/registry.ts)`;
  if (s.emulator.provision === undefined)
    return `its emulator cannot make funded accounts yet (no provision)`;
  return undefined;
}

export interface WriteConfigRequest {
  /** the perpbot.toml to write (refused when it exists) */
  readonly file: string;
  /** the keystore to create (refused when it exists) */
  readonly keystorePath: string;
  readonly password: string;
  readonly kdf?: KdfParams;
  /** USDC (USDT on Aster) each account is funded with */
  readonly usdc: number;
}

/** One farm instance of the written config: two wallets in cross-venue pairs on two venues. */
export interface FarmPair {
  readonly name: string;
  readonly venues: readonly [string, string];
  readonly wallets: readonly [string, string];
}

export interface WrittenConfig {
  readonly venues: readonly string[];
  readonly wallets: readonly string[];
  readonly farms: readonly FarmPair[];
  readonly skipped: readonly { readonly kind: string; readonly why: string }[];
  /** every position the written wallets hold on the emulators now, by venue (none: all flat) */
  openPositions(): readonly (OpenPosition & { readonly venue: string })[];
}

/**
 * The farm instances of the written config, each with two wallets of its own: with three or more
 * venues a ring (each venue paired with the next, the last with the first: n instances, every
 * venue in two of them, long in the one where it comes first and short in the other; all pairs would be n(n-1)/2, 36 for nine
 * venues, too many for a quick run); with two venues their one pair.
 */
export function farmPairs(kinds: readonly string[]): FarmPair[] {
  const id = (n: number) => `emu${String(n).padStart(2, "0")}`;
  const pairs: [string, string][] =
    kinds.length < 2
      ? []
      : kinds.length === 2
        ? [[kinds[0], kinds[1]]]
        : kinds.map((a, i) => [a, kinds[(i + 1) % kinds.length]]);
  return pairs.map(([a, b], i) => ({
    name: `farm_${a}_${b}`,
    venues: [a, b],
    wallets: [id(2 * i + 1), id(2 * i + 2)],
  }));
}

/**
 * Provision every configurable emulator for fresh wallets (two per farm instance, each with an
 * account on its pair's two venues) and write the config and keystore.
 */
export async function writeEmulatorConfig(
  started: readonly StartedEmulator[],
  r: WriteConfigRequest,
): Promise<WrittenConfig> {
  const file = resolve(r.file);
  const ks = resolve(r.keystorePath);
  for (const p of [file, ks])
    if (existsSync(p))
      throw new Error(`emulate all --write-config: ${p} exists; remove it or pick another path`);
  const skipped: { kind: string; why: string }[] = [];
  const configurable: StartedEmulator[] = [];
  for (const s of started) {
    const why = notConfigurable(s);
    if (why === undefined) configurable.push(s);
    else skipped.push({ kind: s.kind, why });
  }
  if (configurable.length === 0)
    throw new Error("emulate all --write-config: no emulated venue has a live connector");
  const kinds = configurable.map((s) => s.kind);
  // one venue: a same-venue farm of three wallets
  const farms = farmPairs(kinds);
  const ids = farms.length > 0 ? farms.flatMap((f) => f.wallets) : ["emu01", "emu02", "emu03"];
  const walletsOn = (kind: string) =>
    farms.length > 0 ? farms.filter((f) => f.venues.includes(kind)).flatMap((f) => f.wallets) : ids;
  const keys = new Map(ids.map((id) => [id, randomBytes(32)]));
  const provisioned = new Map<string, ProvisionedVenue>();
  for (const s of configurable) {
    const mine: EmulatedWallet[] = walletsOn(s.kind).map((id) => ({
      id,
      address: privateKeyToAddress(keys.get(id)!, id).toLowerCase(),
    }));
    provisioned.set(s.kind, await s.emulator.provision!(mine, r.usdc));
  }
  mkdirSync(dirname(ks), { recursive: true, mode: 0o700 });
  await createKeystore(ks, r.password, r.kdf);
  try {
    await addWallets(
      ks,
      r.password,
      ids.map((id) => {
        const venues: Record<string, NewVenueAccount> = {};
        for (const [kind, p] of provisioned) {
          const entry = p.wallets.find((x) => x.id === id);
          if (entry !== undefined) venues[kind] = entry.keystore;
        }
        return { id, label: `emulated wallet ${id}`, key: keys.get(id), venues };
      }),
    );
  } catch (e) {
    // no half-written keystore left behind: the one created here holds nothing else
    rmSync(ks, { force: true });
    throw e;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, configText(provisioned, ks, farms, ids));
  const openPositions = () =>
    [...provisioned].flatMap(([venue, p]) => p.openPositions().map((x) => ({ venue, ...x })));
  return { venues: kinds, wallets: ids, farms, skipped, openPositions };
}

/** perpbot.toml for a live run on the emulators: the venues, their wallets, the farm instances. */
function configText(
  provisioned: ReadonlyMap<string, ProvisionedVenue>,
  keystorePath: string,
  farms: readonly FarmPair[],
  ids: readonly string[],
): string {
  const venues: Record<string, unknown> = {};
  for (const [kind, p] of provisioned)
    venues[kind] = { ...p.table, wallets: Object.fromEntries(p.wallets.map((w) => [w.id, w.table])) };
  const strategies: Record<string, unknown> = {};
  for (const f of farms)
    strategies[f.name] = {
      kind: "farm",
      wallets: [...f.wallets],
      venues: [...f.venues],
      // longs on the instance's first venue, shorts on its second: in the ring every venue is
      // first in one instance and second in another, so each trades long once and short once
      mode: "cross_venue",
      cross_long_venue: f.venues[0],
      cross_short_venue: f.venues[1],
      markets: ["BTC"],
      min_group_size: 2,
      max_group_size: 2,
      // a local venue answers at once: look for groups to open every 5 s rather than 15
      check_interval_seconds: 5,
    };
  // Hibachi's nonce window (60 s) is the floor of send_expiry_ms; GRVT's order_expiry_ms (5 s),
  // Hyperliquid's (20 s) and Backpack's window (5 s) stay below it; above Aster's 10 s + timeout
  const engine = { send_expiry_ms: 60_000 };
  const doc =
    farms.length > 0
      ? { mode: "live", keystore: { path: keystorePath }, engine, venues, strategies }
      : {
          mode: "live",
          keystore: { path: keystorePath },
          engine,
          venues,
          farm: {
            mode: "same_venue",
            markets: ["BTC"],
            min_group_size: ids.length,
            max_group_size: ids.length,
          },
        };
  const head = [
    "# Written by `perpbot emulate all --write-config`: a live run against local emulators.",
    "# The ports and accounts are those of that run: after a restart, write a new config.",
  ];
  return `${head.join("\n")}\n${stringify(doc)}\n`;
}
