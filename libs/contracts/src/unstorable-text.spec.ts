import { findUnstorableText, isStorableText } from './unstorable-text';

describe('text Postgres cannot store', () => {
  it.each([
    ['a NUL', 'a\u0000b'],
    ['a lone high surrogate', 'a\ud800'],
    ['a lone low surrogate', '\udc00a'],
    ['a pair in the wrong order', '\ude00\ud83d'],
  ])('finds %s', (_name, text) => {
    expect(isStorableText(text)).toBe(false);
  });

  it('lets any other text through: emoji, combining marks, right-to-left, control characters other than NUL', () => {
    expect(isStorableText('🤖 e\u0301 ‮abc‬ 日本語 \u0001\t\u200d')).toBe(true);
  });

  it('names the first offending value or member name by JSON Pointer', () => {
    expect(findUnstorableText({ a: 'ok', b: [1, { 'c/d': 'x\u0000' }] })).toBe('/b/1/c~1d');
    expect(findUnstorableText({ ok: { ['bad\u0000name']: 1 } })).toBe('/ok/bad\ufffdname');
    expect(findUnstorableText('\ud800')).toBe('(root)');
    expect(findUnstorableText({ a: ['fine', 2, null, true], b: { c: 'still fine 😀' } })).toBeUndefined();
  });

  it('walks any depth without exhausting the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const at = findUnstorableText(deep);
    expect(at).toMatch(/^\/…(\/a){16}$/);
    expect(findUnstorableText(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toBeUndefined();
  });
});
