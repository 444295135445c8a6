import { isResourceIndicator, resourceIdentifierProblem } from './resource-identifier';

describe('protected resource identifiers (RFC 9728 §1.2, RFC 8707 §2)', () => {
  it('registers an https URL without fragment or query, and http only outside production', () => {
    expect(resourceIdentifierProblem('https://crm.example.com/mcp', { production: true })).toBeUndefined();
    expect(resourceIdentifierProblem('http://127.0.0.1:8080/mcp', { production: false })).toBeUndefined();
    expect(resourceIdentifierProblem('http://127.0.0.1:8080/mcp', { production: true })).toBe('must use the https scheme');
  });

  it.each([
    ['crm', 'must be an absolute URL'],
    ['urn:crm:records', 'must use the https (or, outside production, http) scheme'],
    ['https://crm.example.com/mcp#tools', 'must not have a fragment'],
    ['https://crm.example.com/mcp?tenant=1', 'must not have a query'],
    ['https://crm.example.com/mcp?', 'must not have a query'],
    ['https://user:pw@crm.example.com/mcp', 'must not carry user information'],
  ])('refuses %s', (value, problem) => {
    expect(resourceIdentifierProblem(value, { production: false })).toBe(problem);
  });

  it('takes any absolute URI without a fragment as a resource parameter, to be looked up as sent', () => {
    expect(isResourceIndicator('https://crm.example.com/mcp')).toBe(true);
    expect(isResourceIndicator('urn:example:resource')).toBe(true);
    expect(isResourceIndicator('https://crm.example.com/mcp#x')).toBe(false);
    expect(isResourceIndicator('/mcp')).toBe(false);
    expect(isResourceIndicator('')).toBe(false);
  });
});
