import { z } from "zod";
import { defineSection } from "./registry.ts";

/**
 * The foundation's sections. Strategies, venues and the engine define their own sections in
 * their own folders with `defineSection`; src/cli/sections.ts imports them all.
 */

export const modeSection = defineSection(
  "mode",
  z
    .enum(["paper", "live"])
    .default("paper")
    .describe('"paper" trades on simulated venues; "live" sends real orders and also needs the --live flag.'),
  { doc: 'Trading mode. Paper is the default; live needs both `mode = "live"` and the `--live` flag.' },
);

export const dataDirSection = defineSection("data_dir", z.string().min(1).default("./data"), {
  doc: "Directory for the simulator's state and other files without a setting of their own (created on first use). `store.url`, `log.dir` and `keystore.path` are set separately: move them too when you move this.",
});

const STORE_URL_RE = /^(sqlite:.+|postgres(ql)?:\/\/.+)$/;

export const storeSection = defineSection(
  "store",
  z
    .strictObject({
      url: z
        .string()
        .regex(STORE_URL_RE, 'must be "sqlite:<path>" or "postgres://user:password@host:port/db"')
        .default("sqlite:./data/perpbot.db")
        .describe('"sqlite:<file>" (parent directory created) or "postgres://…" for PostgreSQL.'),
    })
    .prefault({}),
  {
    doc: "Where orders, fills, funding, equity and alerts are stored. SQLite by default; PostgreSQL for several workers.",
    // a PostgreSQL URL may hold a password
    credentialUrls: ["url"],
  },
);

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
const logLevel = z.enum(LOG_LEVELS);

export const logSection = defineSection(
  "log",
  z
    .strictObject({
      level: logLevel.default("info").describe("Level for every module without its own entry in `modules`."),
      modules: z
        .record(z.string().regex(/^[a-z][a-z0-9_]*$/, "module names are lower_snake_case"), logLevel)
        .default({})
        .describe('Per-module levels, e.g. `{ engine = "debug", store = "warn" }`.'),
      dir: z.string().min(1).default("./data/logs").describe("Directory of the JSON-lines log files."),
      console: z.boolean().default(true).describe("Also print a readable view of the log to stderr."),
    })
    .prefault({}),
  { doc: "Logging: JSON lines to a file, a readable view on the console, secrets redacted." },
);

const rate = (dflt: number, doc: string) => z.number().min(0).max(1).default(dflt).describe(doc);

/** The simulated venues perpbot ships a catalogue for (src/venues/sim/catalog.ts). */
export const SIM_VENUE_IDS = ["simA", "simB"] as const;

export const simSection = defineSection(
  "sim",
  z
    .strictObject({
      venues: z
        .array(z.enum(SIM_VENUE_IDS))
        .min(1)
        .refine((v) => new Set(v).size === v.length, "venue ids must be unique")
        .default(["simA", "simB"])
        .describe("Ids of the simulated venues to run."),
      seed: z
        .int()
        .min(0)
        .default(1)
        .describe("Seed of the simulator's randomness: the same seed replays the same run."),
      latency_ms: z
        .number()
        .min(0)
        .max(60_000)
        .default(50)
        .describe("Latency of order acknowledgements and fills."),
      wallets: z.int().min(1).max(10_000).default(12).describe("Number of simulated wallets per venue."),
      wallet_balance_min_usd: z
        .number()
        .positive()
        .default(500)
        .describe("Smallest starting balance of a simulated wallet (at most the largest)."),
      wallet_balance_max_usd: z
        .number()
        .positive()
        .default(5000)
        .describe("Largest starting balance of a simulated wallet."),
      faults: z
        .strictObject({
          enabled: z.boolean().default(false).describe("Inject faults at the rates below."),
          reject_rate: rate(0.01, "Share of orders the venue refuses."),
          timeout_rate: rate(
            0.01,
            "Share of order requests whose answer is lost although the venue executed them (outcome unknown).",
          ),
          partial_fill_rate: rate(
            0.05,
            "Share of IOC and market orders that fill only part of what the book offers.",
          ),
          drop_market_data_rate: rate(0.001, "Share of market-data messages that never arrive."),
          outage_rate: rate(0.0005, "Chance per request that the venue goes down for `outage_duration_ms`."),
          outage_duration_ms: z
            .int()
            .min(0)
            .max(3_600_000)
            .default(10_000)
            .describe("How long an injected outage lasts."),
        })
        .prefault({})
        .describe("Fault injection, off by default."),
    })
    .refine((s) => s.wallet_balance_min_usd <= s.wallet_balance_max_usd, {
      message: "must not exceed sim.wallet_balance_max_usd",
      path: ["wallet_balance_min_usd"],
      // run even when other sim keys are wrong, so every mistake is reported at once; the two
      // balances only need to be numbers themselves
      when: (payload) => {
        const v = payload.value as
          | { wallet_balance_min_usd?: unknown; wallet_balance_max_usd?: unknown }
          | undefined;
        return typeof v?.wallet_balance_min_usd === "number" && typeof v?.wallet_balance_max_usd === "number";
      },
    })
    .prefault({}),
  { doc: "The simulated venues used by paper trading and backtests." },
);

export const keystoreSection = defineSection(
  "keystore",
  z
    .strictObject({
      path: z.string().min(1).default("./data/keystore.json").describe("The encrypted wallet keystore file."),
    })
    .prefault({}),
  { doc: "Encrypted wallet keys (`perpbot keys …`). The password is never stored in the config." },
);

export type Mode = z.output<typeof modeSection.schema>;
export type StoreConfig = z.output<typeof storeSection.schema>;
export type LogConfig = z.output<typeof logSection.schema>;
export type SimConfig = z.output<typeof simSection.schema>;
export type KeystoreConfig = z.output<typeof keystoreSection.schema>;
