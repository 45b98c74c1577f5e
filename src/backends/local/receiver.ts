/**
 * The OTLP/HTTP receiver follows the store's ownership: only the process that owns the data
 * directory receives (it is the only one that may append), so a second server on the same
 * directory reads what the first one receives, and takes the receiver over when the first exits.
 */
import { startOtlpReceiver, type RunningOtlpReceiver } from "../../ingest/otlp-receiver.js";
import { receiverExposureWarnings } from "../../ingest/exposure.js";
import type { ListenAddress } from "../../ingest/listen-address.js";
import type { Logger } from "../../logger.js";
import type { LocalStore } from "../../store/index.js";

export interface ReceiverSettings {
  listen: ListenAddress | "none";
  authToken?: string;
}

/** The receiver's state as the health check and the startup line report it. */
export interface ReceiverState {
  /** Where exporters post (base URL; the path is /v1/traces), while this process receives. */
  url?: string;
  /** Why this process is not receiving. */
  notReceiving?: string;
}

export class OwnerReceiver {
  private running: RunningOtlpReceiver | undefined;
  private starting: Promise<void> | undefined;
  readonly state: ReceiverState = {};

  constructor(
    private readonly store: LocalStore,
    private readonly settings: ReceiverSettings,
    private readonly logger: Logger,
  ) {}

  /** Starts receiving when this process owns the store, and follows role changes after that. */
  async start(): Promise<void> {
    if (this.settings.listen === "none") {
      this.state.notReceiving = "the OTLP receiver is off (--otlp-listen none)";
      return;
    }
    this.store.onRoleChange((role) => void (role === "owner" ? this.listen() : this.stop("another process took the store over")));
    if (this.store.role === "owner") await this.listen();
    else this.state.notReceiving = `another opentelemetry-mcp process owns ${this.store.dataDir} and receives OTLP for it; this one reads`;
  }

  private listen(): Promise<void> {
    const listen = this.settings.listen;
    if (listen === "none" || this.running) return Promise.resolve();
    this.starting ??= (async () => {
      for (const w of receiverExposureWarnings(listen.host, listen.port, this.settings.authToken)) this.logger.warn(w);
      try {
        this.running = await startOtlpReceiver({
          host: listen.host,
          port: listen.port,
          sink: this.store,
          logger: this.logger,
          ...(this.settings.authToken ? { authToken: this.settings.authToken } : {}),
        });
        this.state.url = this.running.url;
        delete this.state.notReceiving;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const where = `${listen.host.includes(":") ? `[${listen.host}]` : listen.host}:${listen.port}`;
        // The store stays readable; only receiving is off. Say what to change.
        this.state.notReceiving =
          code === "EADDRINUSE"
            ? `${where} is in use by another program, so no OTLP is received; stop it or pick another address with --otlp-listen / OTLP_LISTEN`
            : `cannot listen on ${where} (${code ?? (err as Error).message}); set --otlp-listen / OTLP_LISTEN`;
        this.logger.warn(this.state.notReceiving);
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  async stop(reason?: string): Promise<void> {
    await this.starting;
    const running = this.running;
    this.running = undefined;
    delete this.state.url;
    if (reason) this.state.notReceiving = reason;
    await running?.close();
  }
}
