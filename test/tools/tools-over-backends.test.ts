import { jaegerWorld } from "../helpers/jaeger-world.js";
import { tempoWorld } from "../helpers/tempo-world.js";
import { traceloopWorld } from "../helpers/traceloop-world.js";
import { API_KEY, describeToolsOverWorld, NOW } from "./tools-suite.js";

for (const world of [jaegerWorld({ now: () => NOW }), tempoWorld(), traceloopWorld({ apiKey: API_KEY })]) describeToolsOverWorld(world);
