import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';

import { Topics } from '@agentgov/contracts';
import { KeyedStateRunner, OutboxWriter } from '@agentgov/messaging';
import { KAFKA_CLIENT } from '@agentgov/messaging-nest';
import { ReadinessRegistry, SERVICE_ENV } from '@agentgov/service-runtime';

import { BEHAVIOR_BASELINER_SERVICE_NAME, BehaviorBaselinerEnv } from '../config/behavior-baseliner.env';
import { BEHAVIOR_BASELINER_SCHEMA } from '../database/behavior-baseliner.database';
import { KnownAgents } from '../registry/known-agents';
import { AgentScoringHandler, AgentScoringState } from './agent-scoring.handler';

/**
 * Runs the scoring of agent.activity.v1 as keyed state: per-agent models in memory, partitioned like the topic,
 * checkpointed with the offsets they cover and the anomalies they emitted. Its own consumer group, apart from
 * the service's inbox consumers.
 */
@Injectable()
export class ScoringRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ScoringRunner');
  private runner?: KeyedStateRunner<'agent.activity.v1', AgentScoringState>;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: BehaviorBaselinerEnv,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly known: KnownAgents,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.runner = new KeyedStateRunner({
      kafka: this.kafka,
      groupId: `${this.env.KAFKA_TOPIC_PREFIX}${BEHAVIOR_BASELINER_SERVICE_NAME}.scoring`,
      topic: Topics.AgentActivity,
      topicPrefix: this.env.KAFKA_TOPIC_PREFIX,
      dataSource: this.dataSource,
      schema: BEHAVIOR_BASELINER_SCHEMA,
      handler: new AgentScoringHandler(this.known),
      outbox: this.outbox,
      // Each checkpoint rewrites every agent that changed since the last; a longer interval writes each busy agent
      // less often, at the cost of replaying up to this much traffic after a crash.
      checkpointIntervalMs: 5000,
      logger: {
        debug: (f, m) => this.logger.debug(`${m ?? ''} ${JSON.stringify(f)}`),
        info: (f, m) => this.logger.log(`${m ?? ''} ${JSON.stringify(f)}`),
        warn: (f, m) => this.logger.warn(`${m ?? ''} ${JSON.stringify(f)}`),
        error: (f, m) => this.logger.error(`${m ?? ''} ${JSON.stringify(f)}`),
      },
    });
    await this.runner.start();
    this.readiness.register('scoring-consumer', async () => {
      if (!this.runner) throw new Error('scoring consumer not started');
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
  }

  stateOf(agentId: string): AgentScoringState | undefined {
    return this.runner?.stateOf(agentId);
  }
}
