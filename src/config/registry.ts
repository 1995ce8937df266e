import { z } from "zod";

/**
 * The registry of config sections. Each module that has settings defines its own section here
 * (`defineSection("farm", schema, { doc })`) at import time; the loader, `config show`, the
 * `init` example file and docs/configuration.md are all derived from what is registered, so a
 * new setting is validated, shown and documented the moment it is declared.
 */
export interface SectionOptions {
  /** one or two sentences for the docs and the example file */
  readonly doc: string;
  /**
   * Keys inside the section (dotted, relative to it; "" for a scalar section) whose values are
   * secrets: masked by `config show` and registered with the log scrubber.
   */
  readonly secrets?: readonly string[];
  /**
   * Keys holding URLs that may carry a password (e.g. "postgres://user:pw@host/db"): only the
   * password is secret, the rest is shown.
   */
  readonly credentialUrls?: readonly string[];
}

/** How a secret key is hidden: the whole value, or only a URL's password. */
export type SecretKind = "value" | "url_password";

export interface Section<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly doc: string;
  readonly secrets: readonly string[];
  readonly credentialUrls: readonly string[];
  /** This section's validated value out of a loaded config. */
  get(config: ConfigValues): z.output<S>;
}

/** The validated config: one property per registered section. */
export type ConfigValues = Readonly<Record<string, unknown>>;

/** Names become TOML keys and env var segments; "__" separates env segments, so no "__" inside. */
const NAME_RE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

const sections = new Map<string, Section>();

export function defineSection<S extends z.ZodType>(
  name: string,
  schema: S,
  options: SectionOptions,
): Section<S> {
  if (!NAME_RE.test(name)) {
    throw new Error(`config section "${name}": names are lower_snake_case (letters, digits, single "_")`);
  }
  if (sections.has(name)) throw new Error(`config section "${name}" is defined twice`);
  // An empty config file must be valid, so every key needs a default.
  const empty = schema.safeParse(undefined);
  if (!empty.success) {
    throw new Error(
      `config section "${name}" must accept a missing value (give every key a default, and the section .prefault({})): ${empty.error.issues[0]?.message}`,
    );
  }
  const section: Section<S> = {
    name,
    schema,
    doc: options.doc,
    secrets: options.secrets ?? [],
    credentialUrls: options.credentialUrls ?? [],
    get(config: ConfigValues): z.output<S> {
      if (!(name in config))
        throw new Error(`config has no section "${name}" (was it loaded before the section was defined?)`);
      return config[name] as z.output<S>;
    },
  };
  sections.set(name, section as unknown as Section);
  return section;
}

/** Sections in definition order (the order of the docs and the example file). */
export function listSections(): readonly Section[] {
  return [...sections.values()];
}

/** The whole config's schema: a strict object of every registered section. */
export function rootSchema(): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const s of sections.values()) shape[s.name] = s.schema;
  return z.strictObject(shape);
}

/** Dotted paths of every secret key, e.g. "store.url", with how each is hidden. */
export function secretPaths(): ReadonlyMap<string, SecretKind> {
  const out = new Map<string, SecretKind>();
  const full = (s: Section, key: string) => (key === "" ? s.name : `${s.name}.${key}`);
  for (const s of sections.values()) {
    for (const key of s.credentialUrls) out.set(full(s, key), "url_password");
    for (const key of s.secrets) out.set(full(s, key), "value");
  }
  return out;
}
