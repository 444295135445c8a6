import { parsePollAnswer, pollRequestBody } from './ssf-poll-protocol';
import { SsfError } from './ssf.errors';

describe('RFC 8936 poll requests and answers', () => {
  it('a first poll asks for SETs without acknowledging anything (§2.4.1)', () => {
    expect(pollRequestBody([], 100)).toEqual({ maxEvents: 100, returnImmediately: true });
  });

  it('acknowledges what was processed and reports what was refused, with its RFC 8935 error code (§2.4.3, §2.4.4)', () => {
    expect(
      pollRequestBody(
        [
          { jti: 'a', processed: true },
          { jti: 'b', processed: false, err: 'invalid_audience', description: 'the SET is not addressed to this receiver' },
          { jti: 'c', processed: true },
        ],
        10,
      ),
    ).toEqual({
      maxEvents: 10,
      returnImmediately: true,
      ack: ['a', 'c'],
      setErrs: { b: { err: 'invalid_audience', description: 'the SET is not addressed to this receiver' } },
    });
  });

  it('acknowledges only, with maxEvents 0 (§2.4.2)', () => {
    expect(pollRequestBody([{ jti: 'a', processed: true }], 0)).toEqual({ maxEvents: 0, returnImmediately: true, ack: ['a'] });
  });

  it('reads the SETs of an answer by jti, and moreAvailable', () => {
    const answer = parsePollAnswer(JSON.stringify({ sets: { j1: 'a.b.c', j2: 'd.e.f' }, moreAvailable: true }));
    expect([...answer.sets]).toEqual([
      ['j1', 'a.b.c'],
      ['j2', 'd.e.f'],
    ]);
    expect(answer.moreAvailable).toBe(true);
    expect(parsePollAnswer('{"sets":{}}')).toEqual({ sets: new Map(), moreAvailable: false });
  });

  it.each([
    ['not JSON', 'sets'],
    ['an array', '[]'],
    ['without sets', '{"moreAvailable":false}'],
    ['with sets that are not an object', '{"sets":["a.b.c"]}'],
    ['with a SET that is not a string', '{"sets":{"j":{"a":1}}}'],
    ['with moreAvailable that is not a boolean', '{"sets":{},"moreAvailable":"yes"}'],
  ])('refuses an answer %s', (_what, text) => {
    expect(() => parsePollAnswer(text)).toThrow(SsfError);
  });
});
