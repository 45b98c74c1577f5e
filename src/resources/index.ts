/** The resource-template registry: the server's whole resource surface, in listing order. */
import type { ResourceTemplateDefinition } from "./define-resource.js";
import { serviceResource } from "./service.js";
import { traceResource } from "./trace.js";

export const RESOURCE_TEMPLATES: readonly ResourceTemplateDefinition[] = [traceResource, serviceResource];
