import { waitFor } from './wait.js';

/** Runs kubectl and resolves with its standard output (as ControlPlane.kubectl does). */
export type KubectlOutput = (args: string[]) => Promise<string>;

/** The status of an APIService's Available condition: 'True', 'False', or '' before it has one. */
export function apiServiceAvailable(kubectl: KubectlOutput, name: string): Promise<string> {
  return kubectl([
    'get',
    'apiservice',
    name,
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Available")].status}',
  ]);
}

/**
 * Waits until each APIService is Available. `check` runs before every look, so that a server
 * that died fails the wait at once rather than after the timeout.
 */
export async function waitForAvailable(
  kubectl: KubectlOutput,
  names: readonly string[],
  check: () => void = () => undefined,
): Promise<void> {
  for (const name of names) {
    await waitFor(
      async () => {
        check();
        return (await apiServiceAvailable(kubectl, name)) === 'True';
      },
      `APIService ${name} to be Available`,
      90_000,
    );
  }
}
