/** What the console's server tells the app (/config.json): where people sign in, and how their token's claims map to roles. */
export interface ConsoleConfig {
  issuer: string;
  clientId: string;
  scopes: string;
  /** Where the IdP's role names are in the access token: a claim name or a dotted path. */
  rolesClaim: string;
  /** IdP role name to the roles it grants, as the services map it. */
  roleMap: Record<string, Role[]>;
  /** The claim the services record as the person. */
  subjectClaim: string;
  services: string[];
}

/** The people roles the console knows; the services decide what each may do. */
export type Role = 'admin' | 'soc-analyst' | 'reviewer';

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`the console's configuration could not be read (HTTP ${response.status})`);
  return (await response.json()) as ConsoleConfig;
}
