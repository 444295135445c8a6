import { validateEvent } from './event-validator';
import { loadInvalidFixtures, loadValidFixtures } from './events/event-fixtures';
import { TOPIC_NAMES } from './topic-catalog';

describe.each(TOPIC_NAMES)('%s fixtures', (topic) => {
  const valid = loadValidFixtures(topic);
  const invalid = loadInvalidFixtures(topic);

  it('has at least one valid and one invalid fixture', () => {
    expect(valid.length).toBeGreaterThan(0);
    expect(invalid.length).toBeGreaterThan(0);
  });

  it.each(valid.map((fixture) => [fixture.file, fixture.data] as const))('accepts valid/%s', (_file, data) => {
    expect(validateEvent(topic, data)).toEqual({ ok: true, value: data });
  });

  it.each(invalid.map((fixture) => [fixture.file, fixture] as const))('refuses invalid/%s, naming the field', (_file, fixture) => {
    const result = validateEvent(topic, fixture.data);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain(fixture.fieldPointer);
  });
});
