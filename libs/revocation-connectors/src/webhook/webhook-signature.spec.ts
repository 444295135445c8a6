import { signWebhookBody, verifyWebhookSignature } from './webhook-signature';

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const BODY = '{"type":"agentgov.universal-logout","agentId":"a-1"}';
const SIGNED_AT = 1_740_830_400;
const at = (seconds: number) => () => new Date(seconds * 1000);

describe('webhook signatures', () => {
  it('verifies a signature made with the same secret over the same raw body', () => {
    const header = signWebhookBody(SECRET, BODY, SIGNED_AT);
    expect(header).toMatch(/^t=1740830400,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: at(SIGNED_AT + 10) })).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(BODY), { now: at(SIGNED_AT) })).toBe(true);
  });

  it('refuses another body, another secret or a tampered timestamp', () => {
    const header = signWebhookBody(SECRET, BODY, SIGNED_AT);
    const now = at(SIGNED_AT);
    expect(verifyWebhookSignature(SECRET, header, BODY.replace('a-1', 'a-2'), { now })).toBe(false);
    expect(verifyWebhookSignature(`${SECRET}x`, header, BODY, { now })).toBe(false);
    expect(verifyWebhookSignature(SECRET, header.replace(`t=${SIGNED_AT}`, `t=${SIGNED_AT + 1}`), BODY, { now })).toBe(false);
  });

  it('refuses a signature older or newer than the tolerance (replay)', () => {
    const header = signWebhookBody(SECRET, BODY, SIGNED_AT);
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: at(SIGNED_AT + 301) })).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: at(SIGNED_AT - 301) })).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: at(SIGNED_AT + 900), toleranceSeconds: 1000 })).toBe(true);
  });

  it('accepts any of several v1 signatures, as during a secret rotation', () => {
    const [, current] = signWebhookBody(SECRET, BODY, SIGNED_AT).split(',');
    const old = signWebhookBody('whsec-old-old-old-old-old-old-old-old-0', BODY, SIGNED_AT).split(',')[1];
    expect(verifyWebhookSignature(SECRET, `t=${SIGNED_AT},${old},${current}`, BODY, { now: at(SIGNED_AT) })).toBe(true);
  });

  it.each([undefined, null, '', 'garbage', `t=${SIGNED_AT}`, 'v1=00', `t=abc,v1=${'0'.repeat(64)}`])('refuses the malformed header %p', (header) => {
    expect(verifyWebhookSignature(SECRET, header, BODY, { now: at(SIGNED_AT) })).toBe(false);
  });
});
