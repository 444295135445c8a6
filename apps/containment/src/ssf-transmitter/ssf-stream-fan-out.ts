import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { deterministicUuid } from '@agentgov/contracts';
import { CAEP_EVENT_TYPE_URIS, InitiatingEntity, SsfEvent, StreamEvent } from '@agentgov/revocation-connectors';

import { ActionKind, ActionOrigin } from '../connectors/connector-registry';
import { QueuedStreamEvent, SsfStreamsRepository } from './ssf-streams.repository';

/** CAEP credential-change `credential_type` of an agent's revoked credentials (its client secret's tokens). */
export const AGENT_CREDENTIAL_TYPE = 'password';

export interface StreamedAction {
  actionId: string;
  agentId: string;
  kind: ActionKind;
  origin: ActionOrigin;
  reason: string;
  at: Date;
}

/** CAEP 1.0 `initiating_entity` of an action: an analyst is an admin, policy is policy, the registry is the system. */
const INITIATED_BY: Record<ActionOrigin, InitiatingEntity> = { analyst: 'admin', policy: 'policy', lifecycle: 'system' };

/**
 * Containment's actions on its managed Shared Signals streams: a containment or deprovisioning queues, in the
 * transaction that decided it, one SET per CAEP event for every stream that is not disabled and has that event in
 * its events_delivered (a paused stream holds them, SSF 1.0 §8.1.2). A release sends nothing, as with the ssf
 * connector. The jti depends only on the action, the stream and the event, so a SET sent again is the same SET.
 */
@Injectable()
export class SsfStreamFanOut {
  constructor(private readonly streams: SsfStreamsRepository) {}

  async enqueueAction(tx: EntityManager, action: StreamedAction): Promise<void> {
    if (action.kind === 'release') return;
    const events: SsfEvent[] = ['session-revoked', 'credential-change'];
    const receiving = await this.streams.streamsReceiving(
      tx,
      events.map((e) => CAEP_EVENT_TYPE_URIS[e]),
    );
    const queued: QueuedStreamEvent[] = receiving.flatMap((stream) =>
      events
        .filter((e) => stream.events_delivered.includes(CAEP_EVENT_TYPE_URIS[e]))
        .map((e): QueuedStreamEvent => {
          const event: StreamEvent = {
            kind: 'caep',
            event: e,
            agentId: action.agentId,
            actionId: action.actionId,
            reason: action.reason,
            occurredAt: action.at.toISOString(),
            initiatingEntity: INITIATED_BY[action.origin],
            credentialType: AGENT_CREDENTIAL_TYPE,
          };
          return { streamId: stream.id, jti: deterministicUuid('ssf-stream-set', stream.id, action.actionId, e), event };
        }),
    );
    await this.streams.enqueue(tx, queued);
  }
}
