import { fullFormats } from 'ajv-formats/dist/formats';

const fullDateTime = (fullFormats['date-time'] as { validate: (value: string) => boolean }).validate;

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * RFC 3339 date-time, exactly as ajv-formats' "full" mode decides it, but fast for the shape nearly every event
 * carries (`Date.toISOString()`: `YYYY-MM-DDTHH:MM:SS[.fff]Z`). Validating a timestamp with the full regular
 * expressions cost as much as the rest of an activity event's schema, on a path that validates every event.
 * Anything not of that shape, or not plainly valid in it (a leap second), is decided by the full validator, so
 * this accepts exactly what it accepts.
 */
export function isRfc3339DateTime(value: string): boolean {
  const n = value.length;
  if (n >= 20 && n <= 30 && value.charCodeAt(n - 1) === 90 /* Z */ && isCommonShape(value, n)) return true;
  return fullDateTime(value);
}

function isCommonShape(s: string, n: number): boolean {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month])) return false;
  if (n === 20) return true;
  // A fraction: a dot and at least one digit before the Z.
  if (s.charCodeAt(19) !== 46 || n < 22) return false;
  return digits(s, 20, n - 21) >= 0;
}

/** The decimal number in s[from, from + count), or -1 when a character there is not a digit. */
function digits(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    value = value * 10 + c;
  }
  return value;
}
