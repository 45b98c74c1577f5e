import { jaegerWorld } from "../helpers/jaeger-world.js";
import { describeBackendConformance } from "./conformance.js";

describeBackendConformance(jaegerWorld());
