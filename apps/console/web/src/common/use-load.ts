import { DependencyList, useCallback, useEffect, useRef, useState } from 'react';

import { ApiProblem } from '../api/api-client';

export type Loaded<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'failed'; problem: ApiProblem };

/** A failure as a problem to explain: the service's refusal, or a network failure (the service did not answer). */
export function asProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  return new ApiProblem(0, 'SERVICE_UNREACHABLE', 'No answer', error instanceof Error ? error.message : String(error));
}

/**
 * Data a page reads from the services: loading, then the value or the refusal. `reload` reads it again (after a
 * decision); an answer that arrives after the page moved on to other data is dropped.
 */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const generation = useRef(0);
  // The caller's deps say when `load` changes.
  const run = useCallback(load, deps);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    run().then(
      (value) => mine === generation.current && setLoaded({ state: 'done', value }),
      (error: unknown) => mine === generation.current && setLoaded({ state: 'failed', problem: asProblem(error) }),
    );
  }, [run]);
  useEffect(() => {
    setLoaded({ state: 'loading' });
    reload();
    return () => {
      generation.current += 1;
    };
  }, [reload]);
  return [loaded, reload];
}
