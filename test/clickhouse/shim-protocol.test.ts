/**
 * The shim speaks ClickHouse's HTTP interface to the official client: auth, formats, parameters,
 * settings, limits, errors, compression and faults, each checked through @clickhouse/client (and
 * raw HTTP where the client hides the wire).
 */
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { startClickHouseShim, type RunningClickHouseShim } from "../helpers/clickhouse-shim.js";

const USER = "otel";
/** The client logs failed requests itself; the tests assert on them instead. */
const QUIET = { log: { level: ClickHouseLogLevel.OFF } };
const PASSWORD = "s3cr3t-pw";

async function clickHouseError(p: Promise<unknown>): Promise<ClickHouseError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ClickHouseError);
  return err as ClickHouseError;
}

describe("ClickHouse HTTP shim over chDB", () => {
  let shim: RunningClickHouseShim;
  let client: ClickHouseClient;
  const extraClients: ClickHouseClient[] = [];
  const clientWith = (config: Parameters<typeof createClient>[0]): ClickHouseClient => {
    const c = createClient({ url: shim.url, username: USER, password: PASSWORD, request_timeout: 10_000, ...QUIET, ...config });
    extraClients.push(c);
    return c;
  };

  beforeAll(async () => {
    const started = Date.now();
    shim = await startClickHouseShim({ chdbDir: inject("chdbDir"), username: USER, password: PASSWORD });
    process.stderr.write(`clickhouse: shim ${shim.url} (ClickHouse ${shim.engineVersion}) started in ${Date.now() - started} ms\n`);
    client = createClient({ url: shim.url, username: USER, password: PASSWORD, request_timeout: 10_000, ...QUIET });
  });
  afterEach(() => {
    shim.setFault(null);
    shim.requests.length = 0;
  });
  afterAll(async () => {
    await Promise.all([client, ...extraClients].map((c) => c.close()));
    await shim?.close();
  });

  it("answers ping and GET / with Ok., without credentials", async () => {
    expect(await client.ping()).toEqual({ success: true });
    expect(shim.requests[0]).toMatchObject({ method: "GET", path: "/ping", status: 200 });
    const res = await fetch(`${shim.url}/`);
    expect([res.status, await res.text()]).toEqual([200, "Ok.\n"]);
  });

  it("runs a SELECT in JSONEachRow with the headers the client reads", async () => {
    const rs = await client.query({ query: "SELECT number AS n, toString(number * 2) AS s FROM numbers(3)", format: "JSONEachRow" });
    // ClickHouse 25.8+ no longer quotes 64-bit integers in JSON by default; this is 26.7.
    expect(await rs.json()).toEqual([
      { n: 0, s: "0" },
      { n: 1, s: "2" },
      { n: 2, s: "4" },
    ]);
    expect(rs.response_headers["x-clickhouse-format"]).toBe("JSONEachRow");
    expect(rs.response_headers["x-clickhouse-query-id"]).toBe(rs.query_id);
    expect(JSON.parse(rs.response_headers["x-clickhouse-summary"] as string)).toMatchObject({ result_rows: "3" });
    const rec = shim.requests.at(-1)!;
    expect(rec).toMatchObject({ method: "POST", path: "/", user: USER, status: 200 });
    expect(rec.sql).toMatch(/FROM numbers\(3\) \nFORMAT JSONEachRow$/);
    expect(rec.headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`);
  });

  it("answers in the formats the client asks for", async () => {
    const sql = "SELECT number AS n, concat('v', toString(number)) AS s FROM numbers(2)";
    const json = (await (await client.query({ query: sql, format: "JSON" })).json()) as { meta: unknown; data: unknown; rows: number };
    expect(json.meta).toEqual([
      { name: "n", type: "UInt64" },
      { name: "s", type: "String" },
    ]);
    expect(json.data).toEqual([
      { n: 0, s: "v0" },
      { n: 1, s: "v1" },
    ]);
    expect(json.rows).toBe(2);
    expect(await (await client.query({ query: sql, format: "JSONCompactEachRow" })).json()).toEqual([
      [0, "v0"],
      [1, "v1"],
    ]);
    expect(await (await client.query({ query: sql, format: "TabSeparated" })).text()).toBe("0\tv0\n1\tv1\n");
    expect(await (await client.query({ query: sql, format: "CSVWithNames" })).text()).toBe('"n","s"\n0,"v0"\n1,"v1"\n');
    expect(shim.requests.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  it("binds {name:Type} parameters from param_* verbatim: nothing is interpolated", async () => {
    const tricky = "tab\there, newline\nthere, back\\slash, 'quote' and x' OR 1=1 --";
    const rs = await client.query({
      query:
        "SELECT {s:String} AS s, {a:Array(String)} AS a, toUnixTimestamp64Milli({t:DateTime64(3)}) AS t, " +
        "toUnixTimestamp64Nano({ns:DateTime64(9)}) AS ns, toString({big:UInt64}) AS big, {m:Map(String, String)} AS m, {f:Float64} AS f",
      query_params: {
        s: tricky,
        a: ["x'y", "z\\w"],
        t: new Date(Date.UTC(2025, 10, 13, 12, 0, 0, 123)),
        ns: "1763035200.123456789",
        big: "18446744073709551615",
        m: { "gen_ai.system": "openai" },
        f: 0.7,
      },
      format: "JSONEachRow",
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    });
    expect(await rs.json()).toEqual([
      {
        s: tricky,
        a: ["x'y", "z\\w"],
        t: String(Date.UTC(2025, 10, 13, 12, 0, 0, 123)),
        ns: "1763035200123456789",
        big: "18446744073709551615",
        m: { "gen_ai.system": "openai" },
        f: 0.7,
      },
    ]);
    const rec = shim.requests.at(-1)!;
    expect(rec.sql).not.toContain("OR 1=1");
    expect(rec.sql).toContain("{s:String}");
    // The client's escaped text form, as a server receives it.
    expect(rec.params.s).toBe("tab\\there, newline\\nthere, back\\\\slash, \\'quote\\' and x\\' OR 1=1 --");
    expect(rec.params.a).toBe("['x\\'y','z\\\\w']");
    expect(rec.settings).toEqual({ output_format_json_quote_64bit_integers: "1" });
  });

  it("fails a query whose parameter is missing, as the server does", async () => {
    const err = await clickHouseError(client.query({ query: "SELECT {x:UInt32} AS x", format: "JSONEachRow" }));
    expect([err.code, err.type]).toEqual(["456", "UNKNOWN_QUERY_PARAMETER"]);
  });

  it("rejects wrong credentials with 403 and Code 516, like ClickHouse", async () => {
    const wrong = clientWith({ password: "nope" });
    const err = await clickHouseError(wrong.query({ query: "SELECT 1", format: "JSONEachRow" }));
    expect([err.code, err.type]).toEqual(["516", "AUTHENTICATION_FAILED"]);
    expect(err.message).toContain(`${USER}: Authentication failed`);
    expect(err.message).not.toContain("nope");
    const anonymous = await fetch(`${shim.url}/?query=SELECT+1`);
    expect(anonymous.status).toBe(403);
    expect(anonymous.headers.get("x-clickhouse-exception-code")).toBe("516");
    expect(await anonymous.text()).toMatch(/^Code: 516\. DB::Exception: default: Authentication failed: .* \(AUTHENTICATION_FAILED\) \(version 26\.\d+\.\d+\.\d+\)\n$/);
  });

  it("accepts X-ClickHouse-User/Key and user/password parameters, and refuses mixed schemes", async () => {
    const viaHeaders = await fetch(`${shim.url}/?query=SELECT+42`, { headers: { "X-ClickHouse-User": USER, "X-ClickHouse-Key": PASSWORD } });
    expect([viaHeaders.status, await viaHeaders.text()]).toEqual([200, "42\n"]);
    const viaParams = await fetch(`${shim.url}/?query=SELECT+43&user=${USER}&password=${PASSWORD}`);
    expect([viaParams.status, await viaParams.text()]).toEqual([200, "43\n"]);
    const mixed = await fetch(`${shim.url}/?query=SELECT+1`, {
      headers: { "X-ClickHouse-User": USER, "X-ClickHouse-Key": PASSWORD, Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}` },
    });
    expect(mixed.status).toBe(403);
    expect(await mixed.text()).toContain("not allowed to use X-ClickHouse HTTP headers and other authentication methods simultaneously");
  });

  it("rejects writes under readonly=1 and on GET; reads still work there", async () => {
    const err = await clickHouseError(client.command({ query: "CREATE TABLE ro_probe (a UInt8) ENGINE = Memory", clickhouse_settings: { readonly: "1" } }));
    expect([err.code, err.type]).toEqual(["164", "READONLY"]);
    const get = await fetch(`${shim.url}/?query=${encodeURIComponent("CREATE TABLE ro_probe (a UInt8) ENGINE = Memory")}&user=${USER}&password=${PASSWORD}`);
    expect(get.headers.get("x-clickhouse-exception-code")).toBe("164");
    expect(await (await client.query({ query: "EXISTS TABLE ro_probe", format: "JSONEachRow" })).json()).toEqual([{ result: 0 }]);
    // readonly=1 and the limits travel in the same request, as the adapter will send them.
    const rs = await client.query({ query: "SELECT 1 AS one", format: "JSONEachRow", clickhouse_settings: { readonly: "1", max_execution_time: 5, max_result_rows: "10" } });
    expect(await rs.json()).toEqual([{ one: 1 }]);
    const readonlyGet = await fetch(`${shim.url}/?query=SELECT+getSetting('readonly')&user=${USER}&password=${PASSWORD}`);
    expect(await readonlyGet.text()).toBe("2\n");
  });

  it("applies settings to their own request only (a SET does not leak into the next one)", async () => {
    const sql = "SELECT number FROM numbers(3)";
    const err = await clickHouseError(client.query({ query: sql, format: "JSONEachRow", clickhouse_settings: { max_result_rows: "2", result_overflow_mode: "throw" } }));
    expect([err.code, err.type]).toEqual(["396", "TOO_MANY_ROWS_OR_BYTES"]);
    await client.command({ query: "SET max_result_rows = 1" });
    expect(await (await client.query({ query: sql, format: "JSONEachRow" })).json()).toHaveLength(3);
    const unknown = await clickHouseError(client.query({ query: "SELECT 1", format: "JSONEachRow", clickhouse_settings: { no_such_setting: 1 } as never }));
    expect([unknown.code, unknown.type]).toEqual(["115", "UNKNOWN_SETTING"]);
  });

  it("stops a query at max_execution_time (TIMEOUT_EXCEEDED, HTTP 408)", async () => {
    const err = await clickHouseError(client.query({ query: "SELECT sleep(2)", format: "JSONEachRow", clickhouse_settings: { max_execution_time: 1 } }));
    expect([err.code, err.type]).toEqual(["159", "TIMEOUT_EXCEEDED"]);
    expect(shim.requests.at(-1)!.status).toBe(408);
  });

  it("reports bad SQL as a ClickHouseError with the server's status and headers", async () => {
    const err = await clickHouseError(client.query({ query: "SELEC 1", format: "JSONEachRow" }));
    // The client takes the first "(CAPS)" group as the type; a real server's message has "(SELEC)" first too.
    expect([err.code, err.type]).toEqual(["62", "SELEC"]);
    expect(err.message).toContain("Syntax error");
    expect(shim.requests.at(-1)).toMatchObject({ status: 400, errorCode: 62 });
    const missing = await clickHouseError(client.query({ query: "SELECT * FROM no_such_table", format: "JSONEachRow" }));
    expect([missing.code, missing.type]).toEqual(["60", "UNKNOWN_TABLE"]);
    expect(shim.requests.at(-1)!.status).toBe(404);
    const raw = await fetch(`${shim.url}/`, { method: "POST", body: "SELEC 1", headers: { "X-ClickHouse-User": USER, "X-ClickHouse-Key": PASSWORD } });
    expect(raw.status).toBe(400);
    expect(raw.headers.get("x-clickhouse-exception-code")).toBe("62");
    expect(await raw.text()).toMatch(/^Code: 62\. DB::Exception: Syntax error: .*\(SYNTAX_ERROR\) \(version [\d.]+\)\n$/s);
  });

  it("inserts JSONEachRow from the body, gzip-compressed or not, and selects the database per request", async () => {
    await client.command({ query: "CREATE DATABASE IF NOT EXISTS probe" });
    await client.command({ query: "CREATE TABLE probe.kv (k String, v UInt32) ENGINE = MergeTree ORDER BY k" });
    const res = await client.insert({ table: "probe.kv", values: [{ k: "a", v: 1 }, { k: "b", v: 2 }], format: "JSONEachRow" });
    expect(res.summary?.written_rows).toBe("2");
    const insertRec = shim.requests.at(-1)!;
    expect(insertRec.sql).toBe("INSERT INTO probe.kv FORMAT JSONEachRow");
    expect(insertRec.writtenRows).toBe(2);
    const gz = clientWith({ database: "probe", compression: { request: true, response: true } });
    await gz.insert({ table: "kv", values: [{ k: "c", v: 3 }], format: "JSONEachRow" });
    expect(shim.requests.at(-1)!.headers["content-encoding"]).toBe("gzip");
    const rs = await gz.query({ query: "SELECT k, v FROM kv ORDER BY k", format: "JSONEachRow" });
    expect(await rs.json()).toEqual([
      { k: "a", v: 1 },
      { k: "b", v: 2 },
      { k: "c", v: 3 },
    ]);
    expect(rs.response_headers["content-encoding"]).toBe("gzip");
    expect(shim.requests.at(-1)).toMatchObject({ database: "probe", settings: { enable_http_compression: "1" } });
  });

  it("behaves like a server, not like chDB's clickhouse-local: no implicit SELECT, UTC session time zone", async () => {
    const err = await clickHouseError(client.query({ query: "1 + 1", format: "JSONEachRow" }));
    expect(err.code).toBe("62");
    const rs = await client.query({ query: "SELECT timezone() AS tz", format: "JSONEachRow" });
    expect(await rs.json()).toEqual([{ tz: "UTC" }]);
    expect(rs.response_headers["x-clickhouse-timezone"]).toBe("UTC");
  });

  it("honors default_format, X-ClickHouse-Format and X-ClickHouse-Database when the SQL has no FORMAT", async () => {
    const auth = { "X-ClickHouse-User": USER, "X-ClickHouse-Key": PASSWORD };
    const byParam = await fetch(`${shim.url}/?default_format=JSONEachRow`, { method: "POST", body: "SELECT 1 AS one", headers: auth });
    expect([byParam.headers.get("x-clickhouse-format"), await byParam.text()]).toEqual(["JSONEachRow", '{"one":1}\n']);
    const byHeader = await fetch(`${shim.url}/`, { method: "POST", body: "SELECT currentDatabase() AS db", headers: { ...auth, "X-ClickHouse-Format": "JSONCompactEachRow", "X-ClickHouse-Database": "system" } });
    expect(await byHeader.text()).toBe('["system"]\n');
  });

  it("refuses what it does not implement with a clear NOT_IMPLEMENTED or UNSUPPORTED_MEDIA_TYPE, and unknown paths with 404", async () => {
    const multipart = clientWith({ use_multipart_params: true });
    const err = await clickHouseError(multipart.query({ query: "SELECT {x:UInt8} AS x", query_params: { x: 1 }, format: "JSONEachRow" }));
    expect([err.type, err.message]).toEqual(["NOT_IMPLEMENTED", expect.stringContaining("multipart")]);
    expect(shim.requests.at(-1)!.status).toBe(501);
    const zstd = await fetch(`${shim.url}/`, { method: "POST", body: "SELECT 1", headers: { "X-ClickHouse-User": USER, "X-ClickHouse-Key": PASSWORD, "Content-Encoding": "zstd" } });
    expect([zstd.status, await zstd.text()]).toEqual([415, expect.stringContaining("gzip only")]);
    const other = await fetch(`${shim.url}/play`);
    expect(other.status).toBe(404);
  });

  it("fault http500: a ClickHouse-shaped server error the client raises", async () => {
    shim.setFault("http500");
    const err = await clickHouseError(client.query({ query: "SELECT 1", format: "JSONEachRow" }));
    expect([err.code, err.type]).toEqual(["241", "MEMORY_LIMIT_EXCEEDED"]);
    expect(shim.requests.at(-1)!.status).toBe(500);
  });

  it("faults http401/http403: REQUIRED_PASSWORD and AUTHENTICATION_FAILED", async () => {
    shim.setFault("http401");
    expect((await clickHouseError(client.query({ query: "SELECT 1", format: "JSONEachRow" }))).type).toBe("REQUIRED_PASSWORD");
    expect(shim.requests.at(-1)!.status).toBe(401);
    shim.setFault("http403");
    expect((await clickHouseError(client.query({ query: "SELECT 1", format: "JSONEachRow" }))).type).toBe("AUTHENTICATION_FAILED");
  });

  it("fault malformed: 200 with a body that is not the format, which the client cannot parse", async () => {
    shim.setFault("malformed");
    const rs = await client.query({ query: "SELECT 1 AS one", format: "JSON" });
    await expect(rs.json()).rejects.toThrow(SyntaxError);
  });

  it("fault hang: the request never completes and the client times out; healing restores service", async () => {
    shim.setFault("hang");
    const impatient = clientWith({ request_timeout: 300 });
    await expect(impatient.query({ query: "SELECT 1", format: "JSONEachRow" })).rejects.toThrow(/Timeout/i);
    expect(shim.requests.at(-1)!.status).toBeUndefined();
    shim.setFault(null);
    expect(await (await client.query({ query: "SELECT 1 AS one", format: "JSONEachRow" })).json()).toEqual([{ one: 1 }]);
  });

  it("allows one shim per process (chDB binds one engine per process)", async () => {
    await expect(startClickHouseShim({ chdbDir: inject("chdbDir") })).rejects.toThrow(/already running in this process/);
  });
});

describe("engine settings emulate older servers", () => {
  let shim: RunningClickHouseShim;
  let client: ClickHouseClient;
  beforeAll(async () => {
    shim = await startClickHouseShim({ chdbDir: inject("chdbDir"), engineSettings: { output_format_json_quote_64bit_integers: 1 } });
    client = createClient({ url: shim.url, ...QUIET });
  });
  afterAll(async () => {
    await client?.close();
    await shim?.close();
  });

  it("quotes 64-bit integers in JSON like a server before 25.8, for every request", async () => {
    const rs = await client.query({ query: "SELECT toUInt64(7) AS n, toUInt32(7) AS m", format: "JSONEachRow" });
    expect(await rs.json()).toEqual([{ n: "7", m: 7 }]);
  });
});
