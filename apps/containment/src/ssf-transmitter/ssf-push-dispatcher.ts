import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';

import { PgNotificationListener } from '@agentgov/persistence';
import { SET_MEDIA_TYPE } from '@agentgov/revocation-connectors';
import { ReadinessRegistry, SERVICE_ENV } from '@agentgov/service-runtime';
import { getMeter } from '@agentgov/telemetry';

import { ClaimedWorkPump } from '../actions/claimed-work-pump';
import { nextRetryDelayMs } from '../actions/retry-schedule';
import { CONTAINMENT_SERVICE_NAME, ContainmentEnv } from '../config/containment.env';
import { SsfSetSigner } from './ssf-set-signer';
import { ClaimedStreamEvent, SSF_EVENTS_CHANNEL, SsfStreamsRepository } from './ssf-streams.repository';
import { SsfStreamsService } from './ssf-streams.service';

const POLL_INTERVAL_MS = 250;
const PURGE_INTERVAL_MS = 600_000;
/** SETs a receiver refused (or that were given up on) stay this long, with the reason, then go. */
const KEEP_SETTLED_DAYS = 30;
const MAX_ANSWER_BYTES = 64 * 1024;

export type PushOutcome = { status: 'delivered' } | { status: 'retry'; reason: string; retryAfterMs?: number } | { status: 'failed'; reason: string };

/**
 * Pushes the events of enabled push streams to their receivers (RFC 8935, SSF 1.0 §6.1.1): each as a SET signed
 * when sent, POSTed as application/secevent+jwt with the receiver's Authorization header, one at a time per stream in
 * the order they were decided. Woken by NOTIFY (an event queued, a stream resumed), polling as a fallback. The retry
 * machinery is universal logout's: a lease per claimed event (DELIVERY_LEASE_MS) so replicas share the work and a
 * crashed one's events are taken over, the attempt number fencing the result, exponential backoff with jitter
 * honouring Retry-After (DELIVERY_RETRY_BASE_MS, DELIVERY_RETRY_MAX_MS), and DELIVERY_MAX_ATTEMPTS before an event
 * is failed for good. A 400 with an RFC 8935 §2.3 error body is the receiver refusing the SET: failed, not retried.
 */
@Injectable()
export class SsfPushDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SsfPushDispatcher');
  private listener?: PgNotificationListener;
  private timer?: NodeJS.Timeout;
  private purgeTimer?: NodeJS.Timeout;
  private readonly pump: ClaimedWorkPump<ClaimedStreamEvent>;
  private readonly abort = new AbortController();
  private readonly pushes = getMeter('containment').createCounter('containment_ssf_stream_pushes_total', {
    description: 'SETs pushed to Shared Signals stream receivers, by outcome.',
  });

  constructor(
    private readonly streams: SsfStreamsRepository,
    private readonly management: SsfStreamsService,
    private readonly signer: SsfSetSigner,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_ENV) private readonly env: ContainmentEnv,
  ) {
    this.pump = new ClaimedWorkPump<ClaimedStreamEvent>({
      what: 'stream events',
      logger: this.logger,
      concurrency: () => env.DELIVERY_CONCURRENCY,
      claim: (free, exclude) => this.streams.claimPush(free, env.DELIVERY_LEASE_MS, exclude),
      idOf: (event) => String(event.id),
      start: async (claimed) => claimed.map((event) => this.run(event)),
      ready: () => this.signer.available,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.listener = new PgNotificationListener({
      connectionString: this.env.DATABASE_URL,
      channel: SSF_EVENTS_CHANNEL,
      applicationName: `${CONTAINMENT_SERVICE_NAME}-ssf-streams`,
      onNotification: () => this.wake(),
      onGap: () => this.wake(),
      onError: (error) => this.logger.warn(`stream event notifications: ${error.message}`),
    });
    await this.listener.start();
    this.timer = setInterval(() => this.wake(), POLL_INTERVAL_MS);
    this.purgeTimer = setInterval(
      () =>
        void this.streams.purgeSettled(KEEP_SETTLED_DAYS).catch((error: Error) => this.logger.warn(`purging settled stream events failed: ${error.message}`)),
      PURGE_INTERVAL_MS,
    );
    this.readiness.register('ssf-push-dispatcher', async () => {
      if (this.pump.stopped) throw new Error('stopping');
    });
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.purgeTimer);
    const stopped = this.pump.stop(Math.max(1000, this.env.SHUTDOWN_TIMEOUT_MS - 2000));
    await this.listener?.stop();
    await stopped;
    this.abort.abort();
  }

  wake(): void {
    this.pump.wake();
  }

  /** Never throws: whatever goes wrong becomes a retry of the event. */
  private async run(event: ClaimedStreamEvent): Promise<void> {
    let outcome: PushOutcome;
    try {
      outcome =
        event.attempts > this.env.DELIVERY_MAX_ATTEMPTS ? { status: 'failed', reason: `gave up after ${event.attempts - 1} attempts` } : await this.push(event);
    } catch (error) {
      outcome = { status: 'retry', reason: `internal error (${(error as Error).name})` };
    }
    this.pushes.add(1, { outcome: outcome.status });
    try {
      if (outcome.status === 'delivered') await this.streams.delivered(event);
      else if (outcome.status === 'retry' && event.attempts < this.env.DELIVERY_MAX_ATTEMPTS) {
        const delay = nextRetryDelayMs(
          { baseMs: this.env.DELIVERY_RETRY_BASE_MS, maxMs: this.env.DELIVERY_RETRY_MAX_MS },
          event.attempts,
          outcome.retryAfterMs,
        );
        await this.streams.retryLater(event, outcome.reason, new Date(Date.now() + delay));
      } else {
        const reason = outcome.status === 'retry' ? `gave up after ${event.attempts} attempts: ${outcome.reason}` : outcome.reason;
        this.logger.warn(`SET ${event.jti} of stream ${event.stream_id} not delivered: ${reason}`);
        await this.streams.failed(event, reason);
      }
    } catch (error) {
      // The lease runs out and the event is sent again with the same jti; the receiver applies it once.
      this.logger.error(`outcome of SET ${event.jti} of stream ${event.stream_id} not recorded: ${(error as Error).message}`);
    }
  }

  private async push(event: ClaimedStreamEvent): Promise<PushOutcome> {
    const set = await this.signer.sign({ id: event.stream_id, audience: event.audience }, event.jti, event.event);
    const authorization = this.management.unsealed({ id: event.stream_id, authorizationHeaderSealed: event.authorization_header_sealed });
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(Math.max(500, Math.min(10_000, this.env.DELIVERY_LEASE_MS - 1000)))]);
    let response: Response;
    try {
      response = await fetch(event.endpoint_url, {
        method: 'POST',
        headers: { 'content-type': SET_MEDIA_TYPE, accept: 'application/json', ...(authorization ? { authorization } : {}) },
        body: set,
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      return { status: 'retry', reason: `receiver not reached (${(error as Error).name})` };
    }
    const answer = (await response.text().catch(() => '')).slice(0, MAX_ANSWER_BYTES);
    // RFC 8935 §2.2: 202 Accepted; any 2xx is read as accepted.
    if (response.status >= 200 && response.status < 300) return { status: 'delivered' };
    const rejection = response.status === 400 ? setRejection(answer) : undefined;
    if (rejection) return { status: 'failed', reason: `receiver refused the SET: ${rejection}` };
    if (response.status === 429 || response.status >= 500 || response.status === 408) {
      return { status: 'retry', reason: `receiver answered ${response.status}`, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
    }
    // 401/403/404 and the like: the stream's configuration is wrong until the receiver fixes it; keep trying.
    return { status: 'retry', reason: `receiver answered ${response.status}` };
  }
}

/** RFC 8935 §2.3 `{ "err": ..., "description": ... }` as "err: description" (codes and text only, bounded). */
export function setRejection(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { err, description } = parsed as Record<string, unknown>;
  if (typeof err !== 'string' || err === '') return undefined;
  const clean = (text: string) => text.replace(/[^\x20-\x7E]/g, '?').slice(0, 200);
  return typeof description === 'string' && description ? `${clean(err)}: ${clean(description)}` : clean(err);
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - Date.now(), 3_600_000));
}
