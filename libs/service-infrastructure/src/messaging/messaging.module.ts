import { BeforeApplicationShutdown, DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';

import { TopicName } from '@agentgov/contracts';
import {
  catalogTopics,
  ConsumerRunner,
  createIdempotentProducer,
  createKafkaClient,
  ensureTopics,
  EventHandler,
  EventHandlers,
  KafkaSecurity,
  MessagingLogger,
  OutboxRelay,
  OutboxWriter,
  RetryPolicy,
} from '@agentgov/messaging';
import { ReadinessRegistry } from '@agentgov/service-runtime';

import { HANDLES_EVENT } from './handles-event.decorator';

export interface MessagingModuleOptions {
  brokers: string[];
  /** TLS and SASL; plaintext when absent. */
  security?: KafkaSecurity;
  clientId: string;
  /** Consumer group of this service; one group per service so each replica shares the partitions. */
  groupId: string;
  /** The service's Postgres schema, which holds its inbox and outbox. */
  schema: string;
  /** ce_source of the events this service emits. */
  source: string;
  topicPrefix?: string;
  /** Create the catalog's topics at start-up when missing (local and test setups; production creates them ahead). */
  ensureTopics?: boolean;
  retry?: Partial<RetryPolicy>;
  partitionsConsumedConcurrently?: number;
}

export interface MessagingModuleAsyncOptions {
  useFactory: (...args: any[]) => MessagingModuleOptions | Promise<MessagingModuleOptions>;
  inject?: any[];
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

function nestLogger(context: string): MessagingLogger {
  const logger = new Logger(context);
  const line = (fields: Record<string, unknown>, message?: string) => `${message ?? ''} ${JSON.stringify(fields)}`.trim();
  return {
    debug: (f, m) => logger.debug(line(f, m)),
    info: (f, m) => logger.log(line(f, m)),
    warn: (f, m) => logger.warn(line(f, m)),
    error: (f, m) => logger.error(line(f, m)),
  };
}

/**
 * Starts the outbox relay and a consumer for every @HandlesEvent method once the application is up, and
 * stops them before the database closes: consumers first (in-flight batches finish and commit), then the
 * relay (its current round completes).
 */
@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private runner?: ConsumerRunner;
  private relay?: OutboxRelay;
  private readonly logger = new Logger('Messaging');

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.ensureTopics) {
      const created = await ensureTopics(this.kafka, catalogTopics(this.options.topicPrefix));
      if (created.length > 0) this.logger.log(`created topics: ${created.join(', ')}`);
    }
    this.relay = new OutboxRelay({
      dataSource: this.dataSource,
      schema: this.options.schema,
      producer: createIdempotentProducer(this.kafka),
      logger: nestLogger('OutboxRelay'),
    });
    await this.relay.start();

    const handlers = this.discoverHandlers();
    if (Object.keys(handlers).length > 0) {
      this.runner = new ConsumerRunner({
        kafka: this.kafka,
        groupId: this.options.groupId,
        dataSource: this.dataSource,
        schema: this.options.schema,
        topicPrefix: this.options.topicPrefix,
        handlers,
        retry: this.options.retry,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        logger: nestLogger('Consumer'),
      });
      await this.runner.start();
      this.logger.log(`consuming ${this.runner.topics.join(', ')} as ${this.options.groupId}`);
    }
    this.readiness.register('kafka-consumer', async () => {
      if (this.runner && !this.runner.healthy) throw new Error('consumer stopped');
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
    await this.relay?.stop();
  }

  private discoverHandlers(): EventHandlers {
    const handlers: Record<string, EventHandler<TopicName>> = {};
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance);
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const topic: TopicName | undefined = Reflect.getMetadata(HANDLES_EVENT, prototype[methodName]);
        if (!topic) continue;
        if (handlers[topic]) throw new Error(`two handlers for ${topic}; a service has one handler per topic`);
        handlers[topic] = (event, tx) => instance[methodName](event, tx);
      }
    }
    return handlers as EventHandlers;
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: KAFKA_CLIENT,
          inject: [MESSAGING_OPTIONS],
          useFactory: (o: MessagingModuleOptions) =>
            createKafkaClient({ brokers: o.brokers, clientId: o.clientId, logger: nestLogger('kafkajs'), security: o.security }),
        },
        {
          provide: OutboxWriter,
          inject: [MESSAGING_OPTIONS],
          useFactory: (o: MessagingModuleOptions) => new OutboxWriter(o.schema, o.source, o.topicPrefix),
        },
        MessagingLifecycle,
      ],
      exports: [KAFKA_CLIENT, OutboxWriter],
    };
  }
}
