import { KeycloakConfig } from '../../config/connector-config';
import { basicAuthorization, formBody } from '../../http/form-encoding';
import { asRecord, parseJsonBody } from '../../http/json';
import { unexpectedResponse } from '../../http/response-outcome';
import { joinUrl, pathSegment } from '../../http/url';
import { ConnectorRuntime } from '../connector-runtime';
import { ConnectorStop } from '../connector-stop';

/** A token is renewed this long before it expires (or at half its life, when that comes later). */
export const REFRESH_MARGIN_MS = 30_000;
/** A token this close to its expiry is not handed out any more: a call made with it could arrive too late. */
export const EXPIRY_SKEW_MS = 5_000;
const LIFETIME_WHEN_UNSTATED_S = 60;
/** After a failed request, the next one comes 1 s later, then 2, 4, … up to a minute. */
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 60_000;

/**
 * The admin access token of a Keycloak connector, from the client credentials grant, kept warm: `start()` asks for
 * one at once and renews it before it expires (after a failure, again with backoff), so that a revocation finds
 * one ready and never waits for the token endpoint. `get()` asks on demand only when there is none (Keycloak was
 * unreachable, or the admin API refused the last one).
 */
export class KeycloakAdminToken {
  private cached?: { value: string; expiresAt: number };
  private pending?: Promise<string>;
  private timer?: ReturnType<typeof setTimeout>;
  private failures = 0;
  /** Between start() and stop(): a token is kept ready. */
  private running = false;

  constructor(
    private readonly config: KeycloakConfig,
    private readonly runtime: ConnectorRuntime,
  ) {}

  /** Asks for a token now and keeps one ready from then on, until `stop()`. */
  start(): void {
    this.running = true;
    this.renew();
  }

  /** No more renewals; a `get()` still works, on demand. */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The current token, or a new one when there is none fit to use. Throws ConnectorStop when none can be had. */
  get(): Promise<string> {
    if (this.cached && this.usable(this.cached)) return Promise.resolve(this.cached.value);
    return this.request();
  }

  /** Whether a `get()` now would answer at once, with a token in hand. */
  get ready(): boolean {
    return this.cached !== undefined && this.usable(this.cached);
  }

  private usable(token: { expiresAt: number }): boolean {
    return this.runtime.now().getTime() < token.expiresAt - EXPIRY_SKEW_MS;
  }

  /** Forgets `token` after the admin API refused it, so that the next `get()` asks for a new one. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private renew(): void {
    // A failure is already scheduled for a retry; the callers of get() see it themselves.
    this.request().catch(() => undefined);
  }

  /** One token request at a time: concurrent revocations and the renewal share it. */
  private request(): Promise<string> {
    // It ignores the revocations' abort signals (one caller giving up must not fail the others) and is bounded by
    // the connector's timeout alone.
    this.pending ??= this.requestToken()
      .then(
        ({ token, renewInMs }) => {
          this.failures = 0;
          this.schedule(renewInMs);
          return token;
        },
        (error: unknown) => {
          this.failures += 1;
          this.schedule(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.failures - 1)));
          throw error;
        },
      )
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.renew();
    }, delayMs);
    // A renewal never keeps the process alive on its own.
    this.timer.unref?.();
  }

  private async requestToken(): Promise<{ token: string; renewInMs: number }> {
    const { baseUrl, realm, clientId, clientSecret } = this.config;
    const what = 'keycloak token endpoint';
    const requestedAt = this.runtime.now().getTime();
    const result = await this.runtime.http.send({
      method: 'POST',
      url: joinUrl(baseUrl, 'realms', pathSegment(realm), 'protocol', 'openid-connect', 'token'),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: basicAuthorization(clientId, clientSecret),
      },
      body: formBody({ grant_type: 'client_credentials' }),
    });
    if (!result.answered) throw new ConnectorStop({ status: 'retry', reason: `${what}: ${result.reason}` });
    if (result.status !== 200) throw new ConnectorStop(unexpectedResponse(what, result, [clientSecret], this.runtime.now()));

    const answer = asRecord(parseJsonBody(result.body));
    const token = answer?.['access_token'];
    if (typeof token !== 'string' || token === '') {
      throw new ConnectorStop({ status: 'failed', reason: `${what}: answer without an access_token` });
    }
    const expiresIn = answer?.['expires_in'];
    const lifetimeMs = (typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : LIFETIME_WHEN_UNSTATED_S) * 1000;
    this.cached = { value: token, expiresAt: requestedAt + lifetimeMs };
    return { token, renewInMs: renewalDelay(lifetimeMs) };
  }
}

/** When to renew a token that lives `lifetimeMs`: 30 s before it expires, but not before half its life. */
export function renewalDelay(lifetimeMs: number): number {
  return Math.max(lifetimeMs - REFRESH_MARGIN_MS, lifetimeMs / 2);
}
