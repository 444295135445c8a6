import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SIGNATURE_HEADER = 'AgentGov-Signature';
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export function signWebhookBody(secret: string, rawBody: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, rawBody)}`;
}

export interface VerifyWebhookSignatureOptions {
  /** How far the signed time may be from now, either way; default 300 s (replay window). */
  toleranceSeconds?: number;
  now?: () => Date;
}

/**
 * For receivers: true when `header` carries a v1 signature of `rawBody` (the bytes as received, before any
 * JSON parsing) made with `secret` at a time within the tolerance. Several v1 values are allowed, so that a
 * sender can sign with an old and a new secret while the secret rotates.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Buffer,
  options: VerifyWebhookSignatureOptions = {},
): boolean {
  if (!header) return false;
  const { toleranceSeconds = DEFAULT_SIGNATURE_TOLERANCE_SECONDS, now = () => new Date() } = options;
  const { timestamp, signatures } = parseHeader(header);
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(now().getTime() / 1000 - timestamp) > toleranceSeconds) return false;

  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  return signatures.some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function hmacHex(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
}

function parseHeader(header: string): { timestamp?: number; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value);
  }
  return { timestamp, signatures };
}
