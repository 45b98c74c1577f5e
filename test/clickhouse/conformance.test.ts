/**
 * The backend conformance suite against ClickHouse: chDB behind the shim, the exporter's tables,
 * the shared dataset written half in the current and half in the legacy spelling.
 */
import { inject } from "vitest";
import { describeBackendConformance, TEST_API_KEY, URL_PASSWORD, URL_USER } from "../backends/conformance.js";
import { clickhouseWorld } from "../helpers/clickhouse-world.js";

describeBackendConformance(
  clickhouseWorld({
    chdbDir: inject("chdbDir"),
    users: [
      { username: "default", password: TEST_API_KEY },
      // The fault matrix's backend: URL user with the API key as its password, and URL user:password alone.
      { username: URL_USER, password: TEST_API_KEY },
      { username: URL_USER, password: URL_PASSWORD },
    ],
  }),
);
