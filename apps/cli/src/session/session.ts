import { CommandFailure } from '../cli.errors';
import { CredentialsStore, StoredCredentials } from './credentials-store';
import { refreshCredentials } from './device-login';
import { readTokenClaims, TokenClaims } from './token-claims';

/** Where the bearer token of this run comes from. */
export type TokenSource = 'the --token option' | 'AGENTGOV_TOKEN' | 'agentgov login';

/** A token this close to its expiry is renewed first, so that it does not expire on its way to the API. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * The bearer token for the APIs: --token, else AGENTGOV_TOKEN, else the one `agentgov login` stored (renewed with
 * its refresh token when it has expired). Never written anywhere but the credentials file.
 */
export class Session {
  private token?: string;

  constructor(
    private readonly options: {
      flagToken?: string;
      envToken?: string;
      store: CredentialsStore;
      fetch?: typeof fetch;
      now?: () => number;
    },
  ) {}

  get store(): CredentialsStore {
    return this.options.store;
  }

  /** Where the token comes from, or undefined when there is none (not signed in). */
  source(): TokenSource | undefined {
    if (this.options.flagToken) return 'the --token option';
    if (this.options.envToken) return 'AGENTGOV_TOKEN';
    return this.options.store.read() ? 'agentgov login' : undefined;
  }

  /** The token to send; throws "not signed in" in words when there is none. */
  async bearer(): Promise<string> {
    this.token ??= await this.resolve();
    return this.token;
  }

  /** What the token in use says about its holder (for whoami and for explaining a refusal). */
  async claims(): Promise<TokenClaims | undefined> {
    return readTokenClaims(await this.bearer());
  }

  private async resolve(): Promise<string> {
    const given = this.options.flagToken ?? this.options.envToken;
    if (given !== undefined) {
      if (given.trim() === '') throw new CommandFailure(`the token in ${this.source() ?? 'AGENTGOV_TOKEN'} is empty`);
      return given.trim();
    }
    const stored = this.options.store.read();
    if (!stored) throw new CommandFailure('not signed in: run agentgov login, or give a token with --token or AGENTGOV_TOKEN');
    return (await this.fresh(stored)).accessToken;
  }

  private async fresh(stored: StoredCredentials): Promise<StoredCredentials> {
    const now = (this.options.now ?? Date.now)();
    if (!stored.expiresAt || Date.parse(stored.expiresAt) - EXPIRY_MARGIN_MS > now) return stored;
    if (!stored.refreshToken) throw new CommandFailure(`your sign-in expired at ${stored.expiresAt}; run agentgov login`);
    const renewed = await refreshCredentials(stored, this.options.fetch, this.options.now);
    this.options.store.write(renewed);
    return renewed;
  }
}
