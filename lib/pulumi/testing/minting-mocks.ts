import * as pulumi from '@pulumi/pulumi';
import { tlsProviderOutputs } from './tls-provider-mocks.js';

/**
 * Mocks for your own unit tests (`pulumi.runtime.setMocks(mintingMocks(), project, stack)`):
 * @pulumi/tls resources get real keys and certificates minted from their inputs (as the provider
 * would make them), so the component's certificate checks pass and the Secret and caBundle it
 * renders are real; every other resource goes to `mocks` (default: echo its inputs as its state,
 * the way pulumi-kubernetes reports an applied object).
 *
 * @param mocks your mocks, for everything that is not a @pulumi/tls resource
 */
export function mintingMocks(mocks: Partial<pulumi.runtime.Mocks> = {}): pulumi.runtime.Mocks {
  return {
    newResource: async (
      args: pulumi.runtime.MockResourceArgs,
    ): Promise<pulumi.runtime.MockResourceResult> => {
      const minted = await tlsProviderOutputs(args.type, args.inputs);
      if (minted) return { id: `${args.name}-id`, state: { ...args.inputs, ...minted } };
      if (mocks.newResource) return mocks.newResource(args);
      return { id: args.custom ? `${args.name}-id` : undefined, state: args.inputs };
    },
    call: (args: pulumi.runtime.MockCallArgs) => {
      if (mocks.call) return mocks.call(args);
      throw new Error(`mintingMocks: no mock for the provider function ${args.token}`);
    },
  };
}
