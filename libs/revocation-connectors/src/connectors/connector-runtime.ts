import { HttpClient } from '../http/http-client';

/** What every connector is built with: an HTTP client bound to its timeout, and a clock. */
export interface ConnectorRuntime {
  http: HttpClient;
  now: () => Date;
}
