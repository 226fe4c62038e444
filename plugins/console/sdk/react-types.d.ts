/**
 * The few React APIs the hook uses, so the SDK type-checks without @types/react. At run time
 * 'react' is the app's own React (16.8 or newer), resolved by the app's bundler or import map.
 */
declare module 'react' {
  type SetState<S> = (value: S | ((previous: S) => S)) => void;
  export function useState<S>(initial: S | (() => S)): [S, SetState<S>];
  export function useEffect(effect: () => void | (() => void), deps?: readonly unknown[]): void;
  export function useRef<T>(initial: T): { current: T };
  export function useCallback<T extends (...args: never[]) => unknown>(callback: T, deps: readonly unknown[]): T;
}
