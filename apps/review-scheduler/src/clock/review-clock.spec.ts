import { ReviewClock } from './review-clock';

describe('the review clock', () => {
  it('reads the system clock, and refuses to move unless controllable', () => {
    const clock = new ReviewClock(false);
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(50);
    expect(() => clock.travelTo(new Date(Date.now() + 1000))).toThrow('not controllable');
  });

  it('moves forward, never back (a schedule must not fall due twice)', () => {
    const clock = new ReviewClock(true);
    const ahead = Date.now() + 30 * 86_400_000;
    expect(Math.abs(clock.travelTo(new Date(ahead)).getTime() - ahead)).toBeLessThan(50);
    clock.travelTo(new Date(Date.now() + 1000));
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(ahead - 50);
  });
});
