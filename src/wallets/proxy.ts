import { KeystoreUsageError } from "./errors.ts";

/**
 * A wallet's HTTP proxy. Users paste proxies in two shapes: the URL form
 * `http://user:pass@host:port` and the provider-list form `host:port:user:pass`. Both parse to
 * this one normalised value, which venue connections turn into a URL with proxyUrlOf().
 * The password is a secret: errors never quote the input, only the part that is wrong.
 */
export interface ProxySetting {
  readonly scheme: "http" | "https";
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
}

const HOSTNAME_RE =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function checkHost(host: string, where: string): string {
  if (host.startsWith("[") && host.endsWith("]")) return host.toLowerCase(); // IPv6, validated by URL
  if (!HOSTNAME_RE.test(host))
    throw new KeystoreUsageError(`${where}: proxy host "${host}" is not a host name or IPv4 address`);
  return host.toLowerCase();
}

function checkPort(text: string, where: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65_535))
    throw new KeystoreUsageError(`${where}: proxy port "${text}" is not 1..65535`);
  return port;
}

/** Parses either proxy form; `where` names the wallet in errors. */
export function parseProxy(input: string, where = "proxy"): ProxySetting {
  return parseProxyText(input, where, false);
}

/** The keystore's stored form, `http://user@host:port`, whose password is kept encrypted apart. */
export function parseStoredProxy(url: string, where: string): ProxySetting {
  return parseProxyText(url, where, true);
}

function parseProxyText(input: string, where: string, stored: boolean): ProxySetting {
  const text = input.trim();
  if (text === "") throw new KeystoreUsageError(`${where}: the proxy setting is empty`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return parseProxyUrl(text, where, stored);
  // host:port or host:port:user:pass; the password may itself contain ':'
  const parts = text.split(":");
  if (parts.length !== 2 && parts.length < 4) {
    throw new KeystoreUsageError(
      `${where}: a proxy is "http://user:pass@host:port", "host:port:user:pass" or "host:port" (got ${parts.length} ':'-separated parts)`,
    );
  }
  const host = checkHost(parts[0], where);
  const port = checkPort(parts[1], where);
  if (parts.length === 2) return { scheme: "http", host, port };
  const username = parts[2];
  const password = parts.slice(3).join(":");
  if (username === "") throw new KeystoreUsageError(`${where}: the proxy user name is empty`);
  if (password === "") throw new KeystoreUsageError(`${where}: the proxy password is empty`);
  return { scheme: "http", host, port, username, password };
}

function parseProxyUrl(text: string, where: string, stored: boolean): ProxySetting {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KeystoreUsageError(`${where}: the proxy URL does not parse`);
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== "http" && scheme !== "https") {
    throw new KeystoreUsageError(`${where}: proxy scheme "${scheme}" is not supported (http or https)`);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") {
    throw new KeystoreUsageError(`${where}: a proxy URL has no path, query or fragment`);
  }
  // WHATWG URL drops the default port; the proxy port must be written out so nothing is implied
  const portText = /:(\d+)\/?$/.exec(text)?.[1];
  if (portText === undefined) throw new KeystoreUsageError(`${where}: the proxy URL has no port`);
  const host = checkHost(url.hostname, where);
  const port = checkPort(portText, where);
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (username === "" && password !== "")
    throw new KeystoreUsageError(`${where}: proxy password without a user name`);
  if (username !== "" && password === "" && !stored)
    throw new KeystoreUsageError(`${where}: proxy user name without a password`);
  if (username === "") return { scheme, host, port };
  return password === "" ? { scheme, host, port, username } : { scheme, host, port, username, password };
}

/** The normalised URL, password included: `http://user:pass@host:port` (user and password percent-encoded). */
export function proxyUrlOf(p: ProxySetting): string {
  const auth =
    p.username === undefined
      ? ""
      : `${encodeURIComponent(p.username)}:${encodeURIComponent(p.password ?? "")}@`;
  return `${p.scheme}://${auth}${p.host}:${p.port}`;
}

/** The same URL without the password, for listings and logs: `http://user@host:port`. */
export function proxyDisplayOf(p: ProxySetting): string {
  const auth = p.username === undefined ? "" : `${encodeURIComponent(p.username)}@`;
  return `${p.scheme}://${auth}${p.host}:${p.port}`;
}

/** The strings under which the proxy password could show up in output (raw and percent-encoded). */
export function proxySecretForms(p: ProxySetting): string[] {
  if (p.password === undefined) return [];
  return [...new Set([p.password, encodeURIComponent(p.password)])];
}
