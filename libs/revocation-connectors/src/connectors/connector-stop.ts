import { ConnectorOutcome } from '../revocation-connector';

/** Ends a multi-step revocation early with an outcome; `runToOutcome` turns it back into that outcome. */
export class ConnectorStop extends Error {
  constructor(readonly outcome: ConnectorOutcome) {
    super('connector stopped');
    this.name = 'ConnectorStop';
  }
}

/** Runs a revocation so that it never throws: an unexpected error becomes a retry naming only the error's class. */
export async function runToOutcome(run: () => Promise<ConnectorOutcome>): Promise<ConnectorOutcome> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConnectorStop) return error.outcome;
    // The error's message is left out on purpose: it may quote a response body or a credential.
    return { status: 'retry', reason: `unexpected error in the connector (${error instanceof Error ? error.name : typeof error})` };
  }
}
