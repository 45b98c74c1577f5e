/** ServiceScope: globs, service lists, and restricting a trace to the visible services. */
import { describe, expect, it } from "vitest";
import { ALL_SERVICES, serviceScope, withheldNote } from "../../src/access/scope.js";
import { assembleTrace, createSpan, type Trace } from "../../src/domain/trace.js";

const T = "0af7651916cd43dd8448eb211c80319c";

/** root(gateway) -> a(billing) -> b(ledger) -> c(billing) ; root -> d(payment-eu) ; e(billing) whose parent is absent */
function trace(): Trace {
  const s = (id: string, parent: string | null, service: string, startMs: number, durationMs: number, status: "OK" | "ERROR" = "OK") =>
    createSpan({ traceId: T, spanId: id, parentSpanId: parent, operationName: `${service}.op`, serviceName: service, startTimeUs: 1_700_000_000_000_000 + startMs * 1000, durationMs, status });
  return assembleTrace(T, [
    s("root", null, "gateway", 0, 100, "ERROR"),
    s("a", "root", "billing-service", 10, 50),
    s("b", "a", "ledger", 20, 20),
    s("c", "b", "billing-service", 25, 10),
    s("d", "root", "payment-eu", 70, 20),
    s("e", "missing", "billing-service", 40, 5),
  ])!;
}

describe("serviceScope", () => {
  const scope = serviceScope(["billing-service", "payment-*"]);

  it("matches names exactly and * globs against the whole name, case-sensitively", () => {
    expect(["billing-service", "payment-eu", "payment-", "billing", "billing-service-2", "Billing-Service", "xpayment-eu"].map(scope.allows)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(serviceScope(["a.b", "x(y)"]).allows("a.b")).toBe(true);
    expect(serviceScope(["a.b"]).allows("aXb")).toBe(false);
  });

  it("filterServices keeps the visible ones in order", () => {
    expect(scope.filterServices(["gateway", "payment-us", "billing-service", "ledger"])).toEqual(["payment-us", "billing-service"]);
  });

  it("`*` is every service", () => {
    expect(serviceScope(["x", "*"])).toBe(ALL_SERVICES);
    expect(ALL_SERVICES.all).toBe(true);
    expect(ALL_SERVICES.filterServices(["a", "b"])).toEqual(["a", "b"]);
  });
});

describe("restrictTrace", () => {
  it("undefined when no span is visible (answered as not found)", () => {
    expect(serviceScope(["nobody"]).restrictTrace(trace())).toBeUndefined();
  });

  it("the same trace when every span is visible, and for the all scope", () => {
    const t = trace();
    expect(serviceScope(["*"]).restrictTrace(t)).toEqual({ trace: t, withheldSpans: 0 });
    const everyone = serviceScope(["gateway", "billing-service", "ledger", "payment-*"]).restrictTrace(t)!;
    expect(everyone.trace).toBe(t);
    expect(everyone.withheldSpans).toBe(0);
  });

  it("drops other services' spans and re-parents to the nearest visible ancestor", () => {
    const original = trace();
    const r = serviceScope(["billing-service", "payment-*"]).restrictTrace(original)!;
    expect(r.withheldSpans).toBe(2);
    const parents = Object.fromEntries(r.trace.spans.map((s) => [s.spanId, s.parentSpanId]));
    // a's parent (gateway root) is hidden and has no visible ancestor: a becomes a root; c skips ledger to a;
    // d's parent is the hidden root: a root too; e's parent was never in the trace and stays as it was.
    expect(parents).toEqual({ a: null, c: "a", d: null, e: "missing" });
    expect(r.trace.spans.map((s) => s.serviceName)).not.toContain("gateway");
    // Root, timing and status are recomputed from what is visible: nothing of the gateway leaks through.
    expect(r.trace.serviceName).toBe("billing-service");
    expect(r.trace.rootOperation).toBe("billing-service.op");
    expect(r.trace.status).toBe("OK");
    expect(r.trace.startTimeUs).toBe(1_700_000_000_000_000 + 10_000);
    expect(r.trace.durationMs).toBe(80);
    // The input is not modified.
    expect(original.spans.find((s) => s.spanId === "c")!.parentSpanId).toBe("b");
    expect(original.spans).toHaveLength(6);
  });

  it("keeps the partial flag", () => {
    const t = { ...trace(), partial: true };
    expect(serviceScope(["ledger"]).restrictTrace(t)!.trace.partial).toBe(true);
  });

  it("survives a parent cycle among withheld spans", () => {
    const mk = (id: string, parent: string, service: string) =>
      createSpan({ traceId: T, spanId: id, parentSpanId: parent, operationName: "op", serviceName: service, startTimeUs: 1, durationMs: 1 });
    const t = assembleTrace(T, [mk("x", "y", "hidden"), mk("y", "x", "hidden"), mk("v", "x", "shown")])!;
    expect(serviceScope(["shown"]).restrictTrace(t)!.trace.spans.map((s) => s.parentSpanId)).toEqual([null]);
  });

  it("withheldNote", () => {
    expect(withheldNote(0)).toBeUndefined();
    expect(withheldNote(1)).toBe("1 span of services outside this API key's scope was withheld; their visible children are attached to the nearest visible ancestor");
    expect(withheldNote(3)).toMatch(/^3 spans of services outside this API key's scope were withheld/);
  });
});
