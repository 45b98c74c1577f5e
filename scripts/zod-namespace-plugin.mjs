/**
 * esbuild plugin: compiles our `import { z } from "zod"` as `import * as z from "zod"`.
 *
 * Why: zod's `z` export is a namespace *object*; esbuild keeps every member of a namespace used as
 * a value, which drags all ~45 zod locales (about 260 kB minified, a third of what the process
 * must compile before it can answer `initialize`) into the bundle although only English is ever
 * configured. A namespace import is property access only, which esbuild tree-shakes. Both forms
 * name the same bindings, so the code means the same thing; the source keeps the zod-documented
 * `{ z }` spelling. Only our own src/ files are touched.
 */
import { readFile } from "node:fs/promises";

const NAMED_Z = /^import \{ z \} from "zod";$/gm;

/** @returns {import("esbuild").Plugin} */
export function zodNamespacePlugin() {
  return {
    name: "zod-namespace",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
        if (args.path.includes(`${"node_modules"}`)) return undefined;
        const source = await readFile(args.path, "utf8");
        if (!NAMED_Z.test(source)) return undefined;
        NAMED_Z.lastIndex = 0;
        return { contents: source.replace(NAMED_Z, 'import * as z from "zod";'), loader: "ts" };
      });
    },
  };
}
