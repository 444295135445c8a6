import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { DataSource, EntityManager } from 'typeorm';

import { PgNotificationListener } from '@agentgov/persistence';
import { ConnectorOutcome, RevocationConnector } from '@agentgov/revocation-connectors';
import { ReadinessRegistry, SERVICE_ENV } from '@agentgov/service-runtime';
import { getMeter, getTracer, withSpan } from '@agentgov/telemetry';

import { ActionRow, ActionsRepository } from '../actions/actions.repository';
import { ClaimedWorkPump } from '../actions/claimed-work-pump';
import { ALERT_WEBHOOK_TARGET, ClaimedDelivery, DeliveryQueue, Settled } from '../actions/delivery-queue';
import { deliveryParentContext } from '../actions/delivery-trace-context';
import { ContainmentEnv } from '../config/containment.env';
import { ConnectorRegistry } from '../connectors/connector-registry';
import { IncidentAlerts } from '../incidents/incident-alerts';
import { AlertForwarder } from './alert-forwarder';
import { ConnectorFailureIncidents } from './connector-failure-incidents';
import { ExternalTokensRepository, HeldToken } from './external-tokens.repository';

/** Fallback when a notification is missed (listener reconnecting) and for retries coming due. */
const POLL_INTERVAL_MS = 250;
/** RFC 7009 revokes one token per request: an agent holding more goes round again for the rest. */
const MAX_TOKENS_PER_ATTEMPT = 50;
const PURGE_INTERVAL_MS = 60_000;

const tracer = getTracer('containment');

/**
 * Carries out deliveries: one connector call per action and connector (and alert forwards), claimed from the
 * DeliveryQueue (woken by its NOTIFY, polling as a fallback) up to DELIVERY_CONCURRENCY at once. Each call's
 * outcome becomes its receipt, recorded with what follows from it (revoked external tokens, the incident's
 * alert, a connector-failure incident) in one transaction; the queue's fence means a late answer never
 * overwrites a newer attempt. A call that was in flight when its instance died is made again, with the same
 * idempotency key (delivery id, SET jti), so a receiver applies it once; a call whose receipt was recorded is
 * never made again.
 */
@Injectable()
export class DeliveryDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DeliveryDispatcher');
  private listener?: PgNotificationListener;
  private timer?: NodeJS.Timeout;
  private purgeTimer?: NodeJS.Timeout;
  private readonly targets: string[];
  private readonly pump: ClaimedWorkPump<ClaimedDelivery>;
  private readonly abort = new AbortController();
  private readonly attempts = getMeter('containment').createCounter('containment_connector_attempts_total', {
    description: 'Connector calls by connector and outcome.',
  });
  private readonly actionLatency = getMeter('containment').createHistogram('containment_action_settled_seconds', {
    description: 'From a containment action to the last of its connector receipts.',
    unit: 's',
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
    private readonly actions: ActionsRepository,
    private readonly connectors: ConnectorRegistry,
    private readonly tokens: ExternalTokensRepository,
    private readonly alerts: IncidentAlerts,
    private readonly failures: ConnectorFailureIncidents,
    private readonly forwarder: AlertForwarder,
    private readonly readiness: ReadinessRegistry,
    @Inject(SERVICE_ENV) private readonly env: ContainmentEnv,
  ) {
    this.targets = [...connectors.connectors.map((c) => c.name), ...(env.ALERT_WEBHOOK_URL ? [ALERT_WEBHOOK_TARGET] : [])];
    this.pump = new ClaimedWorkPump<ClaimedDelivery>({
      what: 'deliveries',
      logger: this.logger,
      concurrency: () => env.DELIVERY_CONCURRENCY,
      // Never a call this process is still making, even if its lease ran out; only calls to targets it has.
      claim: (free, exclude) => this.queue.claim(free, { exclude, targets: this.targets }),
      idOf: (delivery) => String(delivery.id),
      start: async (claimed) => {
        const actions = await this.actionsOf(claimed);
        return claimed.map((delivery) => this.run(delivery, delivery.action_id ? actions.get(delivery.action_id) : undefined));
      },
      handBack: (claimed) => this.queue.release(claimed),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.listener = this.queue.listener(
      () => this.wake(),
      (error) => this.logger.warn(`delivery notifications: ${error.message}`),
    );
    await this.listener.start();
    this.timer = setInterval(() => this.wake(), POLL_INTERVAL_MS);
    this.purgeTimer = setInterval(
      () => void this.tokens.purgeExpired().catch((error: Error) => this.logger.warn(`purging expired external tokens failed: ${error.message}`)),
      PURGE_INTERVAL_MS,
    );
    this.readiness.register('delivery-dispatcher', async () => {
      if (this.pump.stopped) throw new Error('stopping');
    });
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.purgeTimer);
    const stopped = this.pump.stop(Math.max(1000, this.env.SHUTDOWN_TIMEOUT_MS - 2000));
    await this.listener?.stop();
    // Calls in flight finish and record their receipts; whatever is still pending waits for the next instance.
    await stopped;
    this.abort.abort();
  }

  /** Claims due deliveries up to the free concurrency; called on every notification, tick and completion. */
  wake(): void {
    this.pump.wake();
  }

  private async actionsOf(claimed: ClaimedDelivery[]): Promise<Map<string, ActionRow>> {
    const ids = [...new Set(claimed.map((d) => d.action_id).filter((id): id is string => id !== null))];
    if (ids.length === 0) return new Map();
    const rows = await this.actions.findMany(this.dataSource.manager, ids);
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Never throws: whatever goes wrong becomes the receipt (a retry naming only the error's class), so no call stays
   * claimed unseen. Each attempt is a span in the trace the delivery was decided in, covering the call and its
   * receipt (and the alert that receipt may publish).
   */
  private run(delivery: ClaimedDelivery, action: ActionRow | undefined): Promise<void> {
    const connector = this.connectors.get(delivery.target);
    return withSpan(
      tracer,
      action ? `connector ${action.kind}` : 'alert forward',
      {
        parent: deliveryParentContext(delivery.trace_context),
        kind: SpanKind.CLIENT,
        attributes: {
          'agentgov.connector.name': delivery.target,
          ...(connector ? { 'agentgov.connector.type': connector.type } : {}),
          'agentgov.delivery.id': String(delivery.id),
          'agentgov.delivery.attempt': delivery.attempts,
          ...(action ? { 'agentgov.action.id': action.id, 'agentgov.action.kind': action.kind, 'agentgov.agent.id': action.agent_id } : {}),
        },
      },
      (span) => this.runInSpan(delivery, action, span),
    );
  }

  private async runInSpan(delivery: ClaimedDelivery, action: ActionRow | undefined, span: Span): Promise<void> {
    let outcome: ConnectorOutcome;
    let held: HeldToken[] = [];
    try {
      outcome = await this.attempt(delivery, action, (tokens) => (held = tokens));
    } catch (error) {
      this.logger.error(`delivery ${delivery.id} to ${delivery.target} failed inside the service: ${(error as Error).name}`);
      outcome = { status: 'retry', reason: `internal error (${(error as Error).name})` };
    }
    span.setAttribute('agentgov.connector.outcome', outcome.status);
    if (outcome.status === 'retry' || outcome.status === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.reason });
    try {
      const receipt = await this.record(delivery, action, outcome, held);
      span.setAttribute('agentgov.receipt.status', receipt ?? 'claim-lost');
    } catch (error) {
      // The lease runs out and another attempt records it; the connector is idempotent by delivery id.
      this.logger.error(`receipt of delivery ${delivery.id} to ${delivery.target} not recorded: ${(error as Error).message}`);
      span.setAttribute('agentgov.receipt.status', 'not-recorded');
    }
  }

  private async attempt(delivery: ClaimedDelivery, action: ActionRow | undefined, heldTokens: (tokens: HeldToken[]) => void): Promise<ConnectorOutcome> {
    if (delivery.attempts > this.env.DELIVERY_MAX_ATTEMPTS) return { status: 'failed', reason: `gave up after ${delivery.attempts - 1} attempts` };
    // The whole call ends before the lease does, so no other instance takes it over while it is still running.
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(Math.max(500, this.env.DELIVERY_LEASE_MS - 1000))]);
    if (delivery.target === ALERT_WEBHOOK_TARGET) return this.forwarder.forward(delivery.payload, String(delivery.id), signal);
    const connector = this.connectors.get(delivery.target);
    if (!action || !connector) return { status: 'failed', reason: `connector ${delivery.target} is no longer configured` };
    const held =
      connector.type === 'oauth-revocation'
        ? (await this.tokens.held(this.dataSource.manager, action.agent_id, connector.name)).slice(0, MAX_TOKENS_PER_ATTEMPT)
        : [];
    heldTokens(held);
    return this.call(
      connector,
      action,
      held.map((t) => ({ token: t.token, ...(t.tokenTypeHint ? { tokenTypeHint: t.tokenTypeHint } : {}) })),
      signal,
    );
  }

  /** The receipt's status, or undefined when the claim was lost meanwhile. */
  private async record(delivery: ClaimedDelivery, action: ActionRow | undefined, outcome: ConnectorOutcome, held: HeldToken[]): Promise<Settled | undefined> {
    return this.dataSource.transaction(async (tx) => {
      if (!action) return this.queue.settle(tx, delivery, outcome);
      // The receipts of one action are recorded one at a time, so the last of them sees all the others; the
      // action row also says which incident the receipts belong to now (one may have been opened meanwhile).
      const incidentId = await this.actions.lockIncidentOf(tx, action.id);
      const status = await this.queue.settle(tx, delivery, outcome);
      if (status === undefined) return undefined;
      if (status === 'confirmed' && held.length > 0) {
        await this.tokens.markRevoked(
          tx,
          held.map((t) => t.id),
          action.id,
        );
        // More tokens than one attempt revokes: the delivery goes round again for the rest.
        if (held.length === MAX_TOKENS_PER_ATTEMPT) await this.queue.dueNow(tx, delivery.id);
      }
      await this.afterReceipt(tx, delivery, action, status, incidentId);
      return status;
    });
  }

  private async call(
    connector: RevocationConnector,
    action: ActionRow,
    tokens: { token: string; tokenTypeHint?: 'access_token' | 'refresh_token' }[],
    signal: AbortSignal,
  ): Promise<ConnectorOutcome> {
    const outcome = await connector.revoke(
      {
        deliveryId: `${action.id}:${connector.name}`,
        actionId: action.id,
        agentId: action.agent_id,
        ...(action.owner_id ? { ownerId: action.owner_id } : {}),
        kind: action.kind,
        reason: action.reason,
        occurredAt: new Date(action.created_at).toISOString(),
        sequence: Number(action.sequence),
        ...(connector.type === 'oauth-revocation' ? { tokens } : {}),
      },
      signal,
    );
    this.attempts.add(1, { connector: connector.name, outcome: outcome.status });
    return outcome;
  }

  /**
   * The SOC hears about an action when its last receipt is in, when a connector fails for good, and once when
   * a connector has kept failing for DELIVERY_ALERT_AFTER_ATTEMPTS attempts: a failing connector is never
   * retried silently.
   */
  private async afterReceipt(tx: EntityManager, delivery: ClaimedDelivery, action: ActionRow, status: Settled, incidentId: string | null): Promise<void> {
    const alarming = status === 'failed' || (status === 'retrying' && !delivery.alerted && delivery.attempts >= this.env.DELIVERY_ALERT_AFTER_ATTEMPTS);
    if (alarming) await this.queue.markAlerted(tx, delivery.id);
    const actionSettled = (await this.queue.openCount(tx, action.id)) === 0;
    if (actionSettled) this.actionLatency.record((Date.now() - new Date(action.created_at).getTime()) / 1000, { kind: action.kind });
    if (incidentId) {
      if (alarming || actionSettled) await this.alerts.republish(tx, incidentId);
    } else if (alarming) {
      await this.failures.open(tx, action, delivery.target);
    }
  }
}
