import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { loadConfig } from "./load.ts";
import { defineSection, listSections } from "./registry.ts";
import { configKeys } from "./schema-tree.ts";
import "./sections.ts";

describe("defineSection", () => {
  test("a new section is validated, reachable from env, and typed through its handle", () => {
    const farm = defineSection(
      "farm_test",
      z
        .strictObject({ max_imbalance_usd: z.number().positive().default(2).describe("max imbalance") })
        .prefault({}),
      { doc: "test section" },
    );
    assert.ok(listSections().some((s) => s.name === "farm_test"));
    assert.ok(
      configKeys().some((k) => k.path.join(".") === "farm_test.max_imbalance_usd" && k.default === 2),
    );
    const c = loadConfig({
      cwd: "/nonexistent-dir-for-test",
      env: { PERPBOT__FARM_TEST__MAX_IMBALANCE_USD: "3.5" },
    });
    assert.equal(farm.get(c.values).max_imbalance_usd, 3.5);
    assert.throws(
      () =>
        loadConfig({ cwd: "/nonexistent-dir-for-test", env: { PERPBOT__FARM_TEST__MAX_IMBALANCE_USD: "0" } }),
      /farm_test\.max_imbalance_usd/,
    );
  });

  test("refuses a duplicate name, a bad name, and a section without defaults", () => {
    assert.throws(() => defineSection("store", z.string().default("x"), { doc: "" }), /defined twice/);
    assert.throws(() => defineSection("Bad-Name", z.string().default("x"), { doc: "" }), /lower_snake_case/);
    assert.throws(
      () => defineSection("double__sep", z.string().default("x"), { doc: "" }),
      /lower_snake_case/,
    );
    assert.throws(
      () => defineSection("no_defaults", z.strictObject({ key: z.string() }), { doc: "" }),
      /must accept a missing value/,
    );
  });
});
