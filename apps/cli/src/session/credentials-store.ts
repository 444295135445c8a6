import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { CommandFailure } from '../cli.errors';

/** What `agentgov login` keeps: the tokens and where they came from, so that they can be refreshed there. */
export interface StoredCredentials {
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  accessToken: string;
  refreshToken?: string;
  /** When the access token expires (ISO 8601), if the issuer said. */
  expiresAt?: string;
}

/**
 * The signed-in operator's tokens in `<config dir>/credentials.json`: the folder 0700, the file 0600, written whole
 * (a temporary file renamed over it), and refused when someone else can read it, as ssh refuses a readable key.
 */
export class CredentialsStore {
  readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, 'credentials.json');
  }

  read(): StoredCredentials | undefined {
    let mode: number;
    try {
      mode = statSync(this.path).mode;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CommandFailure(`cannot read ${this.path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if ((mode & 0o077) !== 0) {
      throw new CommandFailure(`${this.path} can be read by other users (mode ${(mode & 0o777).toString(8)}); delete it (agentgov logout) and sign in again`);
    }
    let parsed: Partial<StoredCredentials>;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      throw new CommandFailure(`${this.path} is not what agentgov login writes; delete it (agentgov logout) and sign in again`);
    }
    if (
      typeof parsed.accessToken !== 'string' ||
      typeof parsed.issuer !== 'string' ||
      typeof parsed.tokenEndpoint !== 'string' ||
      typeof parsed.clientId !== 'string'
    ) {
      throw new CommandFailure(`${this.path} is not what agentgov login writes; delete it (agentgov logout) and sign in again`);
    }
    return parsed as StoredCredentials;
  }

  write(credentials: StoredCredentials): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      // The mode given at creation is narrowed by the umask, never widened; chmod makes it exactly 0600 anyway.
      chmodSync(temporary, 0o600);
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw new CommandFailure(`cannot write ${this.path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }

  /** Deletes the stored credentials; false when there were none. */
  delete(): boolean {
    try {
      statSync(this.path);
    } catch {
      return false;
    }
    rmSync(this.path, { force: true });
    return true;
  }
}
