/** `base` (with or without a trailing slash, possibly with a path) followed by already-encoded path segments. */
export function joinUrl(base: string, ...segments: string[]): string {
  return [base.replace(/\/+$/, ''), ...segments].join('/');
}

export function pathSegment(value: string): string {
  return encodeURIComponent(value);
}

/** An absolute http(s) URL with no user info (credentials do not belong in URLs) and no fragment. */
export function isPlainHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.hash;
  } catch {
    return false;
  }
}
