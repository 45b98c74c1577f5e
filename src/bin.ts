#!/usr/bin/env node
/**
 * The executable (dist/cli.js): runs the command line (src/cli.ts) on this process's arguments
 * and exits when the run is over. Kept apart so the command line can be imported and run
 * in-process without starting anything or exiting.
 */
import * as nodeModule from "node:module";
import { main } from "./cli.js";

// Node >= 22.1 can cache compiled code on disk; later starts of the server (and its lazily loaded
// chunks) skip parsing and compiling. Feature-detected: older Nodes simply start without it.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// The reader of stdout went away (`call ... | head -n 5`, a client that quit): nobody is left to tell.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(Number(process.exitCode ?? 0));
});

const code = await main(process.argv);
// Done (help, version, a failure, `call`): exit now rather than wait for idle keep-alive sockets
// and timers, once stdout has taken everything written to it (a pipe may still be draining).
// Otherwise (a running server, demo-data) the process ends by itself.
if (code !== undefined) process.stdout.write("", () => process.exit(code));
