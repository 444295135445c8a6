import { nextRetryDelayMs } from './retry-schedule';

describe('the retry schedule of a failing connector call', () => {
  const schedule = { baseMs: 500, maxMs: 60_000 };

  it('doubles per failed attempt, with jitter between half and all of the nominal delay', () => {
    expect(nextRetryDelayMs(schedule, 1, 0, () => 0)).toBe(250);
    expect(nextRetryDelayMs(schedule, 1, 0, () => 1)).toBe(500);
    expect(nextRetryDelayMs(schedule, 3, 0, () => 1)).toBe(2000);
    expect(nextRetryDelayMs(schedule, 3, 0, () => 0.5)).toBe(1500);
  });

  it('never waits longer than the maximum, even after very many attempts', () => {
    expect(nextRetryDelayMs(schedule, 40, 0, () => 1)).toBe(60_000);
  });

  it('honours a longer Retry-After, up to the maximum', () => {
    expect(nextRetryDelayMs(schedule, 1, 7000, () => 1)).toBe(7000);
    expect(nextRetryDelayMs(schedule, 1, 3_600_000, () => 1)).toBe(60_000);
  });
});
