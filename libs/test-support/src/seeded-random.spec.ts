import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed, and another for another seed', () => {
    const draw = (seed: number) => {
      const r = new SeededRandom(seed);
      return [r.next(), r.int(1, 6), r.uuid(), r.ascii(8), r.pick(['a', 'b', 'c'])];
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('stays in its ranges and keeps each sequence in order when interleaving', () => {
    const r = new SeededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      const n = r.int(-2, 2);
      expect(Number.isInteger(n) && n >= -2 && n <= 2).toBe(true);
    }
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const merged = r.interleave([[1, 2, 3], ['a', 'b'], []] as Array<Array<number | string>>);
    expect(merged).toHaveLength(5);
    expect(merged.filter((x) => typeof x === 'number')).toEqual([1, 2, 3]);
    expect(merged.filter((x) => typeof x === 'string')).toEqual(['a', 'b']);
  });
});
