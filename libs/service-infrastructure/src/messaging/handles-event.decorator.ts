import { SetMetadata } from '@nestjs/common';

import { TopicName } from '@agentgov/contracts';

export const HANDLES_EVENT = Symbol('HANDLES_EVENT');

/**
 * Marks a provider method as the handler of a topic: `(event: ConsumedEvent<T>, tx: EntityManager)`.
 * It runs inside the inbox transaction; every write it makes must go through `tx`.
 */
export const HandlesEvent = (topic: TopicName): MethodDecorator => SetMetadata(HANDLES_EVENT, topic);
