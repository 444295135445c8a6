import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';

import { findUnstorableText, UNSTORABLE_TEXT_DETAIL } from '@agentgov/contracts';

import { DomainError } from '../problem/domain-error';

const CHECKED: ReadonlySet<ArgumentMetadata['type']> = new Set(['body', 'query', 'param']);

/**
 * Refuses, as a 400 problem, a request whose body, query or path carries text Postgres cannot store (a NUL, an
 * unpaired surrogate): such input can never be applied, and would otherwise fail as a 500 at the first write.
 * Global (ServiceRuntimeModule), so no route of any service has to remember it.
 */
@Injectable()
export class StorableTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!CHECKED.has(metadata.type)) return value;
    const at = findUnstorableText(value);
    if (at === undefined) return value;
    const where = `${metadata.type}${metadata.data ? ` ${metadata.data}` : ''}${at === '(root)' ? '' : ` at ${at}`}`;
    throw new DomainError({ code: 'UNSTORABLE_TEXT', status: 400, title: 'The request is not valid', detail: `The ${where} ${UNSTORABLE_TEXT_DETAIL}.` });
  }
}
