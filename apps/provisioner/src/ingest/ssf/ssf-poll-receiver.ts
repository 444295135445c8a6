import { readFileSync } from 'node:fs';

import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';

import { SERVICE_ENV } from '@agentgov/service-runtime';
import { getMeter, getTracer, withSpan } from '@agentgov/telemetry';

import { ProvisionerEnv } from '../../config/provisioner.env';
import { parsePollAnswer, PolledSetOutcome, pollRequestBody } from './ssf-poll-protocol';
import { SsfPushService } from './ssf-push.service';
import { SsfError } from './ssf.errors';

const REQUEST_TIMEOUT_MS = 30_000;
const tracer = getTracer('provisioner');

/**
 * Shared Signals poll delivery (RFC 8936), the CAEP Interoperability Profile's other required receiver method (§2.4):
 * polls the transmitter's endpoint of our stream (SSF_POLL_URL, with its bearer token) every SSF_POLL_INTERVAL_MS, or
 * again at once while it says moreAvailable. Each SET is verified and applied exactly as a pushed one (the same
 * SsfPushService: signature, issuer, audience, maximum age, owner matching, unmatched signals). The next poll
 * acknowledges what was processed and reports what was refused in setErrs (RFC 8936 §2.4.4); a SET that failed for a
 * passing reason (database, transmitter keys) is neither and comes again. A SET applied whose ack was lost (a crash,
 * a restart) comes again and is recognised: its reports' ids derive from its jti, so it changes nothing twice.
 */
@Injectable()
export class SsfPollReceiver implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SsfPoll');
  private readonly abort = new AbortController();
  private pending: PolledSetOutcome[] = [];
  private loop?: Promise<void>;
  private stopping = false;
  private wakeUp?: () => void;
  private readonly polled = getMeter('provisioner').createCounter('provisioner_ssf_polled_sets_total', {
    description: 'SETs received by Shared Signals poll delivery, by outcome (applied, refused, retry).',
  });

  constructor(
    private readonly ssf: SsfPushService,
    @Inject(SERVICE_ENV) private readonly env: ProvisionerEnv,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.env.SSF_POLL_URL) return;
    this.logger.log(`polling ${new URL(this.env.SSF_POLL_URL).origin} for SETs every ${this.env.SSF_POLL_INTERVAL_MS} ms`);
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.wakeUp?.();
    // A poll under way finishes (its SETs applied) unless it would outlast the shutdown; then it is cut short and its
    // SETs, not acknowledged, come again to the next instance.
    const grace = new Promise<false>((resolve) => setTimeout(() => resolve(false), Math.max(1000, this.env.SHUTDOWN_TIMEOUT_MS - 4000)).unref());
    const finished = await Promise.race([this.loop.then(() => true as const), grace]);
    // What was processed is acknowledged before going (RFC 8936 §2.4.2, an acknowledge-only request).
    if (finished && this.pending.length > 0) {
      await this.poll(0).catch((error: Error) => this.logger.warn(`final acknowledgement failed: ${error.message}`));
    }
    this.abort.abort();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let more = false;
      try {
        more = await this.poll(this.env.SSF_POLL_MAX_EVENTS);
      } catch (error) {
        if (!this.stopping) this.logger.warn(`polling for SETs failed, will retry: ${(error as Error).message}`);
      }
      if (!more && !this.stopping) await this.sleep(this.env.SSF_POLL_INTERVAL_MS);
    }
  }

  /** One poll: acknowledges and reports what is pending, applies what comes back. True when more SETs wait. */
  private poll(maxEvents: number): Promise<boolean> {
    return withSpan(tracer, 'ingest ssf-poll', { kind: SpanKind.CLIENT, attributes: { 'agentgov.ssf.max_events': maxEvents } }, async (span) => {
      const sent = this.pending;
      const response = await fetch(this.env.SSF_POLL_URL as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.token()}` },
        body: JSON.stringify(pollRequestBody(sent, maxEvents)),
        redirect: 'manual',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`the transmitter answered ${response.status}`);
      // The transmitter has the acknowledgements and errors now: they are not sent again.
      this.pending = this.pending.slice(sent.length);
      const answer = parsePollAnswer(text);
      span.setAttribute('agentgov.ssf.sets', answer.sets.size);
      for (const [jti, set] of answer.sets) {
        const outcome = await this.apply(jti, set);
        if (outcome) this.pending.push(outcome);
      }
      return answer.moreAvailable;
    });
  }

  /** Processed, refused (with its RFC 8935 error code), or undefined: try again later. */
  private async apply(jti: string, set: string): Promise<PolledSetOutcome | undefined> {
    try {
      await this.ssf.handle(set);
      this.polled.add(1, { outcome: 'applied' });
      return { jti, processed: true };
    } catch (error) {
      if (error instanceof SsfError && error.status === 400) {
        this.polled.add(1, { outcome: 'refused' });
        this.logger.warn(`polled SET ${jti.slice(0, 100)} refused: ${error.err}: ${error.description}`);
        return { jti, processed: false, err: error.err, description: error.description };
      }
      this.polled.add(1, { outcome: 'retry' });
      this.logger.warn(`polled SET ${jti.slice(0, 100)} not applied yet, it will come again: ${(error as Error).message}`);
      return undefined;
    }
  }

  private token(): string {
    if (this.env.SSF_POLL_TOKEN) return this.env.SSF_POLL_TOKEN;
    return readFileSync(this.env.SSF_POLL_TOKEN_FILE as string, 'utf8').trim();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
