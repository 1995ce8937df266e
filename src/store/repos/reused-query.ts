import { type Compilable, CompiledQuery } from "kysely";
import type { Db } from "./query.ts";

/** A value a reused query's argument may take (what both dialects bind). */
export type QueryArg = string | number | bigint | null;

/**
 * A query built and compiled by Kysely once per handle, then run again with other arguments:
 * the hot repositories (a strategy's state on every order, the journal's existence check) skip
 * building and compiling the same SQL each time. The query is built once with a marker for each
 * argument; the compiled SQL is kept, and each bound parameter is traced back to the argument
 * whose marker it is. A query whose shape depends on the values (a list, a null test) or that
 * binds a constant cannot be reused this way: the first compile throws, naming the query.
 */
export class ReusedQuery {
  readonly #name: string;
  readonly #arity: number;
  readonly #build: (db: Db, ...args: string[]) => Compilable;
  /** per handle: the SQL and, per parameter, the index of its argument */
  readonly #compiled = new WeakMap<Db, { sql: string; slots: number[] }>();

  constructor(name: string, arity: number, build: (db: Db, ...args: string[]) => Compilable) {
    this.#name = name;
    this.#arity = arity;
    this.#build = build;
  }

  /** The query for these arguments, compiled for `db`. */
  compiled(db: Db, args: readonly QueryArg[]): CompiledQuery {
    if (args.length !== this.#arity)
      throw new Error(`${this.#name}: ${args.length} arguments for a query of ${this.#arity}`);
    let c = this.#compiled.get(db);
    if (c === undefined) {
      c = this.#compile(db);
      this.#compiled.set(db, c);
    }
    const params: QueryArg[] = [];
    for (const slot of c.slots) params.push(args[slot]);
    return CompiledQuery.raw(c.sql, params);
  }

  #compile(db: Db): { sql: string; slots: number[] } {
    const markers = Array.from({ length: this.#arity }, (_, i) => `\u0000${this.#name}:arg${i}\u0000`);
    const q = this.#build(db, ...markers).compile();
    const slots = q.parameters.map((p) => {
      const i = markers.indexOf(p as string);
      if (i < 0) throw new Error(`${this.#name}: parameter ${String(p)} is not one of the query's arguments`);
      return i;
    });
    for (let i = 0; i < markers.length; i++)
      if (!slots.includes(i)) throw new Error(`${this.#name}: argument ${i} is not bound by the query`);
    return { sql: q.sql, slots };
  }
}
