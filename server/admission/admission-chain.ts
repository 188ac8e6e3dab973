import type { KubeObject } from '../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from './admission-plugin.js';

/**
 * The plugins in order, as kube-apiserver runs them: every mutating plugin first (each seeing
 * what the previous one made), then, once the strategy has validated the object, every
 * validating plugin.
 */
export class AdmissionChain {
  static readonly empty = new AdmissionChain([]);

  constructor(readonly plugins: readonly AdmissionPlugin[]) {}

  /** Runs the mutating plugins; returns the object to go on with. */
  async admit(attributes: AdmissionAttributes): Promise<KubeObject | undefined> {
    let object = attributes.object;
    for (const plugin of this.plugins) {
      if (!plugin.admit) continue;
      object = (await plugin.admit({ ...attributes, object })) ?? object;
    }
    return object;
  }

  /** Runs the validating plugins; the first to refuse decides. */
  async validate(attributes: AdmissionAttributes): Promise<void> {
    for (const plugin of this.plugins) await plugin.validate?.(attributes);
  }

  async start(): Promise<void> {
    await Promise.all(this.plugins.map((plugin) => plugin.start?.()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.plugins.map((plugin) => plugin.stop?.()));
  }
}
