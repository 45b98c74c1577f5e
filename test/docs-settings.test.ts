/**
 * Every setting is documented where users look for it: its flag and variable in README's
 * configuration table, its variable in .env.example. A setting added without docs fails here.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../src/config.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const envExample = readFileSync(new URL("../.env.example", import.meta.url), "utf8");

describe("settings are documented", () => {
  it.each(Object.entries(SETTINGS))("%s: flag and variable in README, variable in .env.example", (_name, s) => {
    expect(readme, s.flag).toContain(`\`${s.flag}`);
    expect(readme, s.env).toContain(`\`${s.env}\``);
    expect(envExample, s.env).toMatch(new RegExp(`^# ${s.env}=`, "m"));
  });
});
