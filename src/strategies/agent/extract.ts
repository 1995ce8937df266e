/**
 * Getting the decision object out of what a model actually replies: prose around the JSON, code
 * fences, <think> blocks, trailing commas, several objects (the first balanced one with
 * `positions` wins, NoFx #570). Parsing is our own small JSON reader so that a duplicated key is
 * seen (JSON.parse silently keeps the last): two different values for one key are an error the
 * model is asked to repair, never a silent pick.
 */
export type Extracted =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

export function extractJson(reply: string): Extracted {
  const text = reply.replace(/<think>[\s\S]*?<\/think>/gi, " ").trim();
  if (text === "") return { ok: false, error: "the reply is empty" };
  const candidates: string[] = [];
  for (const m of text.matchAll(/```[a-zA-Z]*\s*\n?([\s\S]*?)```/g)) candidates.push(m[1]);
  candidates.push(text);
  let firstError: string | undefined;
  let fallback: unknown;
  for (const c of candidates) {
    for (const obj of balancedObjects(c)) {
      const r = parseLenient(obj);
      if (!r.ok) {
        firstError ??= r.error;
        continue;
      }
      if (isRecord(r.value) && "positions" in r.value) return r;
      fallback ??= r.value;
    }
  }
  if (fallback !== undefined) return { ok: true, value: fallback };
  if (firstError !== undefined) return { ok: false, error: firstError };
  const open = text.indexOf("{");
  if (open >= 0)
    return {
      ok: false,
      error: `the JSON object starting at character ${open} is never closed (truncated reply?)`,
    };
  return { ok: false, error: "the reply holds no JSON object" };
}

export const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/** Every top-level `{…}` with balanced braces (strings respected), in order. */
function* balancedObjects(text: string): Generator<string> {
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf("{", i);
    if (start < 0) return;
    let depth = 0;
    let inString = false;
    let end = -1;
    for (let j = start; j < text.length; j++) {
      const ch = text[j];
      if (inString) {
        if (ch === "\\") j++;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === "{") depth++;
      else if (ch === "}" && --depth === 0) {
        end = j;
        break;
      }
    }
    if (end < 0) return;
    yield text.slice(start, end + 1);
    i = end + 1;
  }
}

class JsonSyntaxError extends Error {}

const LITERALS: readonly (readonly [string, boolean | null])[] = [
  ["true", true],
  ["false", false],
  ["null", null],
];

/** JSON with trailing commas allowed; a key given twice with different values is an error. */
export function parseLenient(text: string): Extracted {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new JsonSyntaxError(`${msg} at character ${pos}`);
  };
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const value = (path: string): unknown => {
    ws();
    const ch = text[pos];
    if (ch === "{") return object(path);
    if (ch === "[") return array(path);
    if (ch === '"') return string();
    for (const [word, v] of LITERALS) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return v;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(pos, pos + 64));
    if (m === null)
      return fail(ch === undefined ? "unexpected end of JSON" : `unexpected ${JSON.stringify(ch)}`);
    pos += m[0].length;
    return Number(m[0]);
  };
  const string = (): string => {
    const start = pos;
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === "\\" ? 2 : 1;
    if (pos >= text.length) return fail("unterminated string");
    pos++;
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      return fail("bad string escape");
    }
  };
  const object = (path: string): Record<string, unknown> => {
    pos++;
    const out: Record<string, unknown> = {};
    for (;;) {
      ws();
      if (text[pos] === "}") {
        pos++;
        return out;
      }
      if (text[pos] !== '"')
        return fail(text[pos] === undefined ? "unexpected end of JSON" : "expected a key");
      const key = string();
      ws();
      if (text[pos] !== ":") return fail(`expected ":" after key "${key}"`);
      pos++;
      const v = value(path === "" ? key : `${path}.${key}`);
      if (Object.hasOwn(out, key) && JSON.stringify(out[key]) !== JSON.stringify(v))
        throw new JsonSyntaxError(
          `key "${path === "" ? key : `${path}.${key}`}" is given twice with different values`,
        );
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      ws();
      if (text[pos] === ",") pos++;
      else if (text[pos] !== "}")
        return fail(text[pos] === undefined ? "unexpected end of JSON" : 'expected "," or "}"');
    }
  };
  const array = (path: string): unknown[] => {
    pos++;
    const out: unknown[] = [];
    for (;;) {
      ws();
      if (text[pos] === "]") {
        pos++;
        return out;
      }
      out.push(value(`${path}[${out.length}]`));
      ws();
      if (text[pos] === ",") pos++;
      else if (text[pos] !== "]")
        return fail(text[pos] === undefined ? "unexpected end of JSON" : 'expected "," or "]"');
    }
  };
  try {
    const v = value("");
    ws();
    if (pos < text.length) fail("text after the JSON value");
    return { ok: true, value: v };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { ok: false, error: e.message };
    throw e;
  }
}
