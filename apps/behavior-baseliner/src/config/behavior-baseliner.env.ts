import { commonEnv, env, EnvOf } from '@agentgov/service-runtime';

export const BEHAVIOR_BASELINER_SERVICE_NAME = 'behavior-baseliner';

export const BEHAVIOR_BASELINER_ENV = {
  ...commonEnv({ httpPort: 3002, kafkaClientId: BEHAVIOR_BASELINER_SERVICE_NAME }),
  SCORING_THREADS: env
    .int({ min: 1, max: 64 })
    .default(2)
    .describe('Scoring threads, each a member of the scoring consumer group with its own partitions; about one per core.'),
  SCORING_CHECKPOINT_INTERVAL_MS: env
    .int({ min: 100, max: 600000 })
    .default(5000)
    .describe("How often each partition's changed agent state, emitted events and offset are checkpointed; a crash replays up to this much traffic."),
  SCORING_SESSION_TIMEOUT_MS: env
    .int({ min: 6000, max: 300000 })
    .default(30000)
    .describe("Kafka session timeout of the scoring threads: how long a dead instance's partitions wait before another takes them over."),
  SCORING_MAX_RESIDENT_AGENTS: env
    .int({ min: 100, max: 10_000_000 })
    .default(50_000)
    .describe(
      'Agents whose state each scoring thread keeps in memory (about 5 KB each); beyond it, the least recently active are dropped and read back from Postgres at their next event, so a flood of new agent ids cannot exhaust memory.',
    ),
  USAGE_WINDOW_MINUTES: env
    .int({ min: 1, max: 10080 })
    .default(60)
    .describe('Length of the per-agent agent.usage.v1 summary windows, in minutes of event time.'),
  USAGE_GRACE_SECONDS: env
    .int({ min: 1, max: 3600 })
    .default(60)
    .describe("A quiet agent's usage window is summarised this long after it ends, once no activity at all has arrived for as long."),
};

export type BehaviorBaselinerEnv = EnvOf<typeof BEHAVIOR_BASELINER_ENV>;
