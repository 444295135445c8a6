/**
 * The rules a protected resource's identifier follows. RFC 9728 §1.2: a URL with the https scheme and no fragment,
 * preferably without a query; plain http is let through outside production, for resource servers on a developer's
 * machine. The identifier is kept exactly as registered: a token's `aud` is compared with it as a string (RFC 9728
 * §3.3, RFC 8707 §2), so normalizing it here would make tokens a resource server does not recognize.
 */
export function resourceIdentifierProblem(value: string, { production }: { production: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  const schemes = production ? ['https:'] : ['https:', 'http:'];
  if (!schemes.includes(url.protocol)) return production ? 'must use the https scheme' : 'must use the https (or, outside production, http) scheme';
  if (value.includes('#')) return 'must not have a fragment';
  if (url.search !== '' || value.includes('?')) return 'must not have a query';
  if (url.username !== '' || url.password !== '') return 'must not carry user information';
  return undefined;
}

/**
 * RFC 8707 §2: a `resource` parameter is an absolute URI without a fragment. Anything else is invalid_target before
 * the registry is even asked.
 */
export function isResourceIndicator(value: string): boolean {
  if (value.length > 2048 || value.includes('#')) return false;
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}
