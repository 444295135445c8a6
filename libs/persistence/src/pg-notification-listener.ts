import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';

import { assertSqlIdentifier } from './sql-identifier';

export interface PgNotificationListenerOptions {
  /** Where to connect: a connection string, or the settings of the service's own DataSource (see `connectionOf`). */
  connectionString?: string;
  connection?: ClientConfig;
  channel: string;
  applicationName: string;
  onNotification: (payload: string) => void;
  /**
   * Called each time the listener is (re)connected, and when it loses its connection: notifications sent
   * meanwhile are lost, so whatever depends on them must resynchronise (drop caches, re-read state).
   */
  onGap: () => void;
  retryDelayMs?: number;
  onError?: (error: Error) => void;
}

/**
 * The connection settings of a TypeORM Postgres DataSource, for a dedicated listening connection beside its pool
 * (a pooled connection would go back to the pool, and its LISTEN with it).
 */
export function connectionOf(dataSource: DataSource): ClientConfig {
  const o = dataSource.options as {
    url?: string;
    host?: string;
    port?: number;
    username?: string;
    password?: string;
    database?: string;
    ssl?: ClientConfig['ssl'];
  };
  return { connectionString: o.url, host: o.host, port: o.port, user: o.username, password: o.password, database: o.database, ssl: o.ssl };
}

/**
 * The one way the services LISTEN: a dedicated connection on one channel, reconnecting on its own. Postgres delivers NOTIFY only on
 * commit, so a notification always describes committed state.
 */
export class PgNotificationListener {
  private client?: Client;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: PgNotificationListenerOptions) {
    assertSqlIdentifier(options.channel, 'channel');
  }

  /** True while notifications are being received; callers must not trust caches otherwise. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      ...this.options.connection,
      ...(this.options.connectionString ? { connectionString: this.options.connectionString } : {}),
      application_name: this.options.applicationName,
    });
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      this.options.onGap();
      this.options.onError?.(error);
      void client.end().catch(() => undefined);
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.connect(), this.options.retryDelayMs ?? 1000);
        this.timer.unref();
      }
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('listener connection ended')));
    client.on('notification', (message) => this.options.onNotification(message.payload ?? ''));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.options.onGap();
    } catch (error) {
      fail(error as Error);
    }
  }
}
