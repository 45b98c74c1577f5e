/**
 * Peak memory of the built CLI when a backend answers with a huge body (issue 13 #4): a loopback
 * "Jaeger" answers every request with valid JSON padded to --mb megabytes (the real answer plus
 * a long string), streamed. Prints what list_services answered, how long it took and the
 * server's peak RSS (VmHWM). A benchmark, not a test: nothing here asserts.
 *
 *   npm run build && node --import tsx bench/large-bodies.ts [--mb 50] [--cli dist/cli.js] [--limit-mb 64]
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { listenLoopback } from "../test/helpers/backend-world.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const mb = Number(arg("mb", "50"));
const cli = arg("cli", "dist/cli.js");
const limitMb = arg("limit-mb", "");

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"padding":"');
  const chunk = Buffer.alloc(1 << 20, 0x78);
  let sent = 0;
  const pump = (): void => {
    while (sent < mb) {
      sent++;
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
    res.end('","data":["a"],"total":1,"limit":0,"offset":0,"errors":null}');
  };
  res.on("error", () => undefined);
  pump();
});
const { url, close } = await listenLoopback(server);

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [cli, "--backend", "jaeger", "--url", url, "--log-level", "error", ...(limitMb ? ["--backend-max-response-mb", limitMb] : [])],
  stderr: "ignore",
});
const client = new Client({ name: "bench", version: "0" });
await client.connect(transport);
const started = performance.now();
const result = (await client.callTool({ name: "list_services", arguments: {} })) as { isError?: boolean; content: Array<{ text: string }> };
const ms = Math.round(performance.now() - started);
const pid = transport.pid;
const hwm = pid ? /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] : undefined;
console.log(
  JSON.stringify({
    cli,
    bodyMb: mb,
    limitMb: limitMb || "default",
    isError: result.isError === true,
    answer: result.content[0]!.text.slice(0, 160),
    ms,
    peakRssMb: hwm ? Math.round(Number(hwm) / 1024) : null,
  }),
);
await client.close();
await close();
