/**
 * Whether `bytes` is the UTF-8 encoding of `text`. Compared in place: for the short ASCII strings of headers and
 * keys a loop costs less than decoding the bytes into a string (a native call and an allocation per value, on a
 * path that runs for every consumed event). Text that is not ASCII is decoded and compared instead.
 */
export function isUtf8Of(bytes: Buffer | null | undefined, text: string): boolean {
  if (!bytes) return text.length === 0;
  const n = text.length;
  // UTF-8 never takes fewer bytes than UTF-16 takes code units.
  if (bytes.length < n) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return bytes.toString('utf8') === text;
    if (bytes[i] !== c) return false;
  }
  return bytes.length === n;
}
