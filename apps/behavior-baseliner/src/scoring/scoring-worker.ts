/**
 * One scoring thread: its own Kafka consumer in the scoring group, its own small Postgres pool, and the
 * KeyedStateRunner that holds the per-agent models of the partitions the group gives it. The service runs one
 * per core (SCORING_THREADS) so that Kafka decoding, validation and scoring use every core of one instance.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { eventSourceOf, Topics } from '@agentgov/contracts';
import { KeyedStateRunner, MessagingLogger } from '@agentgov/messaging';
import { consumerGroupOf, dataSourceOf, kafkaClientOf } from '@agentgov/service-infrastructure';
import { createLogger, LogLevel, startThreadTelemetry } from '@agentgov/telemetry';

import { AgentProfilesView } from '../registry/agent-profiles.repository';
import { AgentScoring, AgentScoringState } from './agent-scoring';
import { CohortPriors } from './cohort-priors';
import { ScoringWorkerConfig, ToSupervisor, ToWorker } from './scoring-worker.protocol';
import { UsageRecordingOutbox } from './usage-recording-outbox';

const PRIOR_REFRESH_MS = 60_000;
const PROGRESS_MS = 200;

async function main(config: ScoringWorkerConfig, port: NonNullable<typeof parentPort>): Promise<void> {
  const send = (message: ToSupervisor) => port.postMessage(message);
  const { wiring } = config;
  // Before any instrument is made (the messaging library makes its own at first use): a thread has no /metrics of its
  // own, so its metrics go to the service's.
  const telemetry = startThreadTelemetry({ thread: `scoring-${config.index}`, send: (snapshot) => send({ type: 'metrics', snapshot }) });
  const log = createLogger({ serviceName: wiring.serviceName, level: config.logLevel as LogLevel }).child({ thread: `scoring-${config.index}` });
  const logger: MessagingLogger = {
    debug: (f, m) => log.debug(f, m),
    info: (f, m) => log.info(f, m),
    warn: (f, m) => log.warn(f, m),
    error: (f, m) => log.error(f, m),
  };

  // The same wiring as the Nest app's (ServiceInfrastructureModule): a thread has no Nest container of its own.
  const dataSource = dataSourceOf(wiring, { poolSize: 3, applicationSuffix: `scoring-${config.index}` });
  await dataSource.initialize();
  const known = new AgentProfilesView();
  await known.load(dataSource);
  const priors = new CohortPriors(known);
  const kafka = kafkaClientOf(wiring, logger, `scoring-${config.index}`);
  const runner: KeyedStateRunner<'agent.activity.v1', AgentScoringState> = new KeyedStateRunner({
    kafka,
    groupId: consumerGroupOf(wiring, 'scoring'),
    topic: Topics.AgentActivity,
    topicPrefix: wiring.topicPrefix,
    dataSource,
    schema: wiring.schema,
    handler: new AgentScoring(known, {
      usageWindowMs: config.usageWindowMs,
      usageGraceMs: config.usageGraceMs,
      priorFor: (agent) => priors.priorFor(agent),
    }),
    // The service's outbox (as outboxWriterOf makes it), which also keeps each summarised usage window for the chart.
    outbox: new UsageRecordingOutbox(wiring.schema, eventSourceOf(wiring.serviceName), wiring.topicPrefix),
    // Each checkpoint rewrites every agent that changed since the last; a longer interval writes each busy agent
    // less often, at the cost of replaying up to this much traffic after a crash.
    checkpointIntervalMs: config.checkpointIntervalMs,
    // An anomaly is acted on (containment's target is half a second from the activity to the last revocation):
    // it leaves with a checkpoint of its own rather than waiting out the interval.
    urgent: (event) => event.topic === Topics.AgentAnomaly,
    sessionTimeoutMs: config.sessionTimeoutMs,
    // A flood of distinct agent ids (each a shadow agent) must not grow the thread's memory without bound.
    maxResidentKeys: config.maxResidentAgents,
    logger,
  });

  const timers = [
    setInterval(() => send({ type: 'progress', processed: runner.processedCount, agentsInMemory: runner.residentKeys }), PROGRESS_MS),
    setInterval(() => priors.rebuild(modelsOf(runner.entries())), PRIOR_REFRESH_MS),
  ];
  port.on('message', (message: ToWorker) => {
    if (message.type !== 'stop') return;
    for (const timer of timers) clearInterval(timer);
    void (async () => {
      await runner.stop().catch((error: Error) => log.error({ err: error }, 'scoring thread stopped uncleanly'));
      send({ type: 'progress', processed: runner.processedCount, agentsInMemory: runner.residentKeys });
      await telemetry.flush().catch(() => undefined);
      await telemetry.shutdown();
      known.close();
      await dataSource.destroy();
      send({ type: 'stopped' });
      log.flush();
      // Ends this thread only (process.exit in a worker stops the worker), whatever handles a library left open.
      process.exit(0);
    })();
  });

  await runner.start();
  send({ type: 'started' });
}

function* modelsOf(entries: Iterable<[string, AgentScoringState]>): Iterable<[string, AgentScoringState['model']]> {
  for (const [key, state] of entries) yield [key, state.model];
}

if (parentPort) {
  const port = parentPort;
  main(workerData as ScoringWorkerConfig, port).catch((error: Error) => {
    port.postMessage({ type: 'failed', message: error.message } satisfies ToSupervisor);
    process.exitCode = 1;
  });
}
