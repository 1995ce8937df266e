import { z } from "zod";
import { defineSection } from "./registry.ts";

/**
 * The foundation's sections. Strategies, venues and the engine define their own sections in
 * their own folders with `defineSection`; src/app/sections.ts imports them all.
 */

export const modeSection = defineSection(
  "mode",
  z
    .enum(["paper", "sandbox", "live"])
    .default("paper")
    .describe(
      '"paper" trades on simulated venues with synthetic data; "sandbox" on the real market data of the [venues.*] venues with simulated fills (no real orders, no keys); "live" sends real orders and also needs the --live flag.',
    ),
  {
    doc: 'Trading mode. Paper is the default; sandbox runs the strategies on a real venue\'s market data with simulated fills; live needs both `mode = "live"` and the `--live` flag.',
  },
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
export type KeystoreConfig = z.output<typeof keystoreSection.schema>;
