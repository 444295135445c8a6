import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { isUuid } from '@agentgov/contracts';
import { PgNotificationListener } from '@agentgov/persistence';
import { SERVICE_ENV } from '@agentgov/service-runtime';
import { getMeter } from '@agentgov/telemetry';

import { CONTAINMENT_SERVICE_NAME, ContainmentEnv } from '../config/containment.env';
import { EventStream, EventStreamSink } from './event-stream';
import { IncidentAlerts } from './incident-alerts';
import { IncidentFilter, matchesIncidentFilter } from './incident-filter';
import { INCIDENT_CHANGES_CHANNEL } from './incidents-notify';
import { IncidentsError, IncidentsErrorCode } from './incidents.errors';
import { IncidentsRepository } from './incidents.repository';

/** Streams one instance serves at once; beyond, a new one is refused (503) rather than slowing every other. */
const MAX_STREAMS = 500;
/** Events held for a client that stopped reading before its connection is dropped (see EventStream). */
const MAX_HELD_EVENTS = 256;
/** Changes committed within this long of each other are read in one query. */
const BATCH_MS = 25;
/** A client told to reconnect (token expired, shutdown, dropped) waits this long first. */
const RECONNECT_MS = 2000;

interface Subscriber {
  stream: EventStream;
  filter: IncidentFilter;
  expiry: NodeJS.Timeout;
}

/**
 * The live incident stream (GET /incidents/stream): every incident created or changed, as the list shows it, to every
 * client whose filter it matches. Fed by commits: IncidentAlerts notifies (pg_notify, delivered on commit only) in the
 * transaction that changes an incident, so a client never sees a change that was rolled back, and every replica sees
 * every change whichever replica made it. When the listener lost its connection (notifications in between are lost),
 * each client is told to `resync`: read the list again.
 */
@Injectable()
export class IncidentStream implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IncidentStream');
  private readonly subscribers = new Set<Subscriber>();
  private listener?: PgNotificationListener;
  private heartbeat?: NodeJS.Timeout;
  private readonly changed = new Set<string>();
  private batch?: NodeJS.Timeout;
  /** Batches are sent one after another, so a later state of an incident never overtakes an earlier one. */
  private sending: Promise<void> = Promise.resolve();
  private readonly open = getMeter('containment').createUpDownCounter('containment_incident_streams', {
    description: 'Live incident streams (GET /incidents/stream) open on this instance.',
  });
  private readonly dropped = getMeter('containment').createCounter('containment_incident_stream_drops_total', {
    description: 'Incident streams dropped because the client did not read its events.',
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly alerts: IncidentAlerts,
    @Inject(SERVICE_ENV) private readonly env: ContainmentEnv,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.listener = new PgNotificationListener({
      connectionString: this.env.DATABASE_URL,
      channel: INCIDENT_CHANGES_CHANNEL,
      applicationName: `${CONTAINMENT_SERVICE_NAME}-incident-stream`,
      onNotification: (incidentId) => this.onChange(incidentId),
      onGap: () => this.resync(),
      onError: (error) => this.logger.warn(`incident change notifications: ${error.message}`),
    });
    await this.listener.start();
    this.heartbeat = setInterval(() => {
      for (const subscriber of this.subscribers) subscriber.stream.heartbeat();
    }, this.env.INCIDENT_STREAM_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.heartbeat);
    clearTimeout(this.batch);
    // Open streams would hold the HTTP server open: each client is told to come back (to another replica, or to this
    // one restarted) and its stream ended.
    for (const subscriber of [...this.subscribers]) subscriber.stream.end({ event: 'reconnect', data: { reason: 'shutting down' } });
    await this.listener?.stop();
  }

  /**
   * Starts streaming to this response: headers, a `ready` event (changes committed from now on will follow; read the
   * list now), then an `incident` event per change that matches the filter, and a comment line every
   * INCIDENT_STREAM_HEARTBEAT_MS. The stream ends when the token expires (event `reconnect`), since its holder may no
   * longer be allowed to see incidents.
   */
  subscribe(
    response: EventStreamSink & { writeHead(status: number, headers: Record<string, string>): unknown; flushHeaders(): void },
    request: { once(event: 'close', listener: () => void): unknown },
    filter: IncidentFilter,
    tokenExpiresAt: Date,
  ): void {
    if (this.subscribers.size >= MAX_STREAMS) {
      throw new IncidentsError(IncidentsErrorCode.TooManyStreams, `this instance serves ${MAX_STREAMS} incident streams already; try again later`);
    }
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    const remainingMs = Math.max(0, Math.min(tokenExpiresAt.getTime() - Date.now(), 2 ** 31 - 1));
    const subscriber: Subscriber = {
      filter,
      stream: new EventStream(response, MAX_HELD_EVENTS, (why) => {
        clearTimeout(subscriber.expiry);
        if (this.subscribers.delete(subscriber)) this.open.add(-1);
        if (why === 'overflow') this.dropped.add(1);
      }),
      expiry: setTimeout(() => subscriber.stream.end({ event: 'reconnect', data: { reason: 'token expired' } }), remainingMs),
    };
    this.subscribers.add(subscriber);
    this.open.add(1);
    request.once('close', () => subscriber.stream.disconnected());
    subscriber.stream.retryAfter(RECONNECT_MS);
    subscriber.stream.send('ready', { listening: this.listener?.listening ?? false });
  }

  private onChange(incidentId: string): void {
    if (this.subscribers.size === 0 || !isUuid(incidentId)) return;
    this.changed.add(incidentId);
    this.batch ??= setTimeout(() => {
      this.batch = undefined;
      const ids = [...this.changed];
      this.changed.clear();
      this.sending = this.sending.then(() => this.send(ids));
    }, BATCH_MS);
  }

  private async send(ids: string[]): Promise<void> {
    if (this.subscribers.size === 0) return;
    try {
      const incidents = await this.incidents.findMany(this.dataSource.manager, ids);
      const views = await this.alerts.socViews(this.dataSource.manager, incidents);
      incidents.forEach((incident, i) => {
        const view = views[i];
        for (const subscriber of this.subscribers) if (matchesIncidentFilter(incident, subscriber.filter)) subscriber.stream.send('incident', view);
      });
    } catch (error) {
      // The changes could not be read: every client reads the list again rather than miss them.
      this.logger.warn(`reading changed incidents failed: ${(error as Error).message}`);
      this.resync();
    }
  }

  private resync(): void {
    for (const subscriber of this.subscribers) subscriber.stream.send('resync', {});
  }
}
