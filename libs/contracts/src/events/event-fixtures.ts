import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { TopicName } from '../topic-catalog';

export interface EventFixture {
  file: string;
  data: unknown;
}

export interface InvalidEventFixture extends EventFixture {
  /** JSON pointer of the offending field, from the file name `<field.path>--<rule>.json`. */
  fieldPointer: string;
  rule: string;
}

const INVALID_NAME = /^([A-Za-z0-9_.]+)--([a-z0-9-]+)\.json$/;

export function eventFolder(topic: TopicName): string {
  return join(__dirname, topic);
}

export function loadValidFixtures(topic: TopicName): EventFixture[] {
  return readFixtures(join(eventFolder(topic), 'fixtures', 'valid'));
}

export function loadInvalidFixtures(topic: TopicName): InvalidEventFixture[] {
  return readFixtures(join(eventFolder(topic), 'fixtures', 'invalid')).map((fixture) => {
    const match = INVALID_NAME.exec(fixture.file);
    if (!match) throw new Error(`${topic}/fixtures/invalid/${fixture.file} must be named <field.path>--<rule>.json`);
    return { ...fixture, fieldPointer: `/${match[1].split('.').join('/')}`, rule: match[2] };
  });
}

function readFixtures(dir: string): EventFixture[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, data: JSON.parse(readFileSync(join(dir, file), 'utf8')) }));
}
