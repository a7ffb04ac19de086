import { useCallback, useRef } from 'react';

/**
 * A function that keeps its identity for the component's life and always calls the latest `fn`:
 * a prop that lets memoized children skip a render (a tab switch, a chat list row whose chat did
 * not change).
 * For event handlers only; call it from events, not during render.
 */
export function useStableCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const latest = useRef(fn);
  latest.current = fn;
  return useCallback((...args: A) => latest.current(...args), []);
}
