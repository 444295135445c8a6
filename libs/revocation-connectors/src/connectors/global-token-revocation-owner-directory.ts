import { asRecord, parseJsonBody } from '../http/json';
import { unexpectedResponse } from '../http/response-outcome';
import { joinUrl, pathSegment } from '../http/url';
import { ConnectorRuntime } from './connector-runtime';
import { ConnectorStop } from './connector-stop';

/** What the registry says of an owner, as much as an owner-level revocation needs. */
export interface DirectoryOwner {
  id: string;
  status: string;
  email: string | null;
  identities: Array<{ source: string; externalId: string }>;
}

/**
 * The provisioner's owner registry (`GET {baseUrl}/owners/{id}`), read at each owner-level revocation: whether the
 * owner is offboarded now, and the identifiers another system knows them by. Read, not cached: a status is what
 * decides whether a person is logged out everywhere.
 */
export class OwnerDirectory {
  constructor(
    private readonly directory: { baseUrl: string; bearerToken: string },
    private readonly runtime: ConnectorRuntime,
  ) {}

  /** Throws ConnectorStop when the registry does not answer with the owner. */
  async owner(ownerId: string, signal?: AbortSignal): Promise<DirectoryOwner> {
    const what = 'owner directory';
    const result = await this.runtime.http.send(
      {
        method: 'GET',
        url: joinUrl(this.directory.baseUrl, 'owners', pathSegment(ownerId)),
        headers: { authorization: `Bearer ${this.directory.bearerToken}`, accept: 'application/json' },
      },
      signal,
    );
    if (!result.answered) throw new ConnectorStop({ status: 'retry', reason: `${what}: ${result.reason}` });
    if (result.status !== 200) throw new ConnectorStop(unexpectedResponse(what, result, [this.directory.bearerToken], this.runtime.now()));
    const owner = asRecord(parseJsonBody(result.body));
    const identities = Array.isArray(owner?.['identities']) ? owner['identities'].map(asRecord) : [];
    if (!owner || typeof owner['status'] !== 'string' || owner['id'] !== ownerId) {
      throw new ConnectorStop({ status: 'failed', reason: `${what}: the answer is not the owner asked for` });
    }
    return {
      id: ownerId,
      status: owner['status'],
      email: typeof owner['email'] === 'string' && owner['email'] !== '' ? owner['email'] : null,
      identities: identities.flatMap((i) =>
        typeof i?.['source'] === 'string' && typeof i['externalId'] === 'string' ? [{ source: i['source'], externalId: i['externalId'] }] : [],
      ),
    };
  }
}
