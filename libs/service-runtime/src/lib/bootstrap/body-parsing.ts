import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';

import { DomainError } from '../problem/domain-error';

/** NestFactory and createNestApplication options: the parsers are the ones configureBodyParsing installs. */
export const OWN_BODY_PARSING = { bodyParser: false } as const;

/**
 * JSON and form bodies, parsed as Nest would (its defaults), with one difference: a body that is not valid JSON is
 * answered without quoting it. body-parser's syntax error quotes the text it failed on, and Nest turns it into a 400
 * carrying that message; the text may hold a client secret or personal data, and an answer never repeats its input.
 * The error middleware sits right behind the JSON parser, so it sees the parser's error before Nest does.
 */
export function configureBodyParsing(app: INestApplication): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json');
  app.use((error: unknown, _request: unknown, _response: unknown, next: (error?: unknown) => void) => {
    if ((error as { type?: unknown } | null)?.type === 'entity.parse.failed') {
      next(new DomainError({ code: 'INVALID_JSON', status: 400, title: 'Bad Request', detail: 'The request body is not valid JSON.' }));
      return;
    }
    next(error);
  });
  express.useBodyParser('urlencoded', { extended: true });
}
