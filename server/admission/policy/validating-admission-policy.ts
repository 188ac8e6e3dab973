import type {
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import type { StatusReason } from '../../../api/types.js';
import { ApiError, isApiError } from '../../api/errors.js';
import type { Logger } from '../../util/logger.js';
import { admissionForbidden, reasonToCode } from '../admission-errors.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../admission-plugin.js';
import { admissionRequest } from '../admission-request.js';
import { InvalidSelectorError } from '../matching/label-selector-match.js';
import { matchResources } from '../matching/match-resources.js';
import { versionedObjects } from '../matching/versioned-attributes.js';
import type { NamespaceLookup } from '../namespace-lookup.js';
import { CompiledPolicy } from './compiled-policy.js';
import { collectParams, ParamError, type ParamSource } from './param-source.js';
import type { PolicySource } from './policy-source.js';

export interface ValidatingAdmissionPolicyOptions {
  readonly policies: PolicySource;
  readonly params: ParamSource;
  /** Namespaces for namespaceSelector and `namespaceObject`. @default - neither is available */
  readonly namespaces?: NamespaceLookup;
  readonly log: Logger;
}

interface Denial {
  readonly policy: string;
  readonly binding?: string;
  readonly message: string;
  readonly reason: string;
}

/** The JSON of a namespace as policies read it (`namespaceObject`): metadata, spec and status. */
function namespaceObject(namespace: unknown): unknown {
  if (!namespace) return null;
  const json = JSON.parse(JSON.stringify(namespace)) as Record<string, unknown>;
  return { metadata: json.metadata ?? {}, spec: json.spec ?? {}, status: json.status ?? {} };
}

/**
 * kube-apiserver's ValidatingAdmissionPolicy plugin for this server's resources: each policy
 * whose matchConstraints cover the request is evaluated for each of its bindings that matches
 * (and each param the binding selects), and each failed validation acts as the binding's
 * validationActions say: Deny refuses the write, Warn adds a warning, Audit adds an audit
 * annotation. Errors (CEL, params, bindings) follow the policy's failurePolicy.
 */
export class ValidatingAdmissionPolicyPlugin implements AdmissionPlugin {
  readonly name = 'ValidatingAdmissionPolicy';
  private readonly compiled = new WeakMap<V1ValidatingAdmissionPolicy, CompiledPolicy>();

  constructor(private readonly options: ValidatingAdmissionPolicyOptions) {}

  start(): Promise<void> {
    this.options.policies.start?.();
    this.options.namespaces?.start?.();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.options.policies.stop?.(),
      this.options.params.stop?.(),
      this.options.namespaces?.stop?.(),
    ]);
  }

  async validate(attributes: AdmissionAttributes): Promise<void> {
    const bound = await this.options.policies.policies();
    if (!bound) throw admissionForbidden(attributes, 'not yet ready to handle request');
    const denials: Denial[] = [];
    for (const { policy, bindings } of bound) {
      const policyName = policy.metadata?.name ?? '';
      const failClosed = policy.spec?.failurePolicy !== 'Ignore';
      const configError = (message: string, binding?: V1ValidatingAdmissionPolicyBinding): void => {
        if (!failClosed) return;
        const prefix = binding ? 'failed to configure binding' : 'failed to configure policy';
        denials.push({
          policy: policyName,
          binding: binding?.metadata?.name,
          message: `${prefix}: ${message}`,
          reason: 'Invalid',
        });
      };
      let matched;
      try {
        matched = await matchResources(policy.spec?.matchConstraints, attributes, this.options.namespaces);
      } catch (error) {
        configError(this.errorText(error));
        continue;
      }
      if (!matched) continue;
      const compiled = this.compile(policy);
      const annotations = new Map<string, string[]>();
      for (const binding of bindings) {
        const bindingName = binding.metadata?.name ?? '';
        let params: readonly unknown[];
        try {
          if (binding.spec?.matchResources) {
            const bindingMatch = await matchResources(
              binding.spec.matchResources,
              attributes,
              this.options.namespaces,
            );
            if (!bindingMatch) continue;
          }
          params = await collectParams(
            this.options.params,
            policy.spec?.paramKind,
            binding.spec?.paramRef,
            attributes.namespace,
          );
        } catch (error) {
          configError(this.errorText(error), binding);
          continue;
        }
        if (params.length === 0) continue;
        const namespace =
          attributes.namespace && attributes.definition.namespaced
            ? await this.options.namespaces?.get(attributes.namespace)
            : undefined;
        const objects = versionedObjects(attributes, matched);
        const request = admissionRequest(attributes, matched, '');
        const actions = binding.spec?.validationActions ?? [];
        for (const param of params) {
          const result = compiled.evaluate({
            object: objects.object,
            oldObject: objects.oldObject,
            request,
            params: param,
            namespaceObject: namespaceObject(namespace),
          });
          for (const decision of result.decisions) {
            if (decision.action !== 'Deny') continue;
            if (actions.includes('Deny'))
              denials.push({
                policy: policyName,
                binding: bindingName,
                message: decision.message,
                reason: decision.reason ?? 'Invalid',
              });
            if (actions.includes('Warn'))
              attributes.warnings.push(
                `Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${decision.message}`,
              );
            if (actions.includes('Audit'))
              attributes.addAuditAnnotation?.(
                'validation.policy.admission.k8s.io/validation_failure',
                JSON.stringify([
                  {
                    message: decision.message,
                    policy: policyName,
                    binding: bindingName,
                    expressionIndex: decision.index,
                    validationActions: actions,
                  },
                ]),
              );
          }
          for (const { key, value } of result.auditAnnotations) {
            const values = annotations.get(key) ?? [];
            if (!values.includes(value)) values.push(value);
            annotations.set(key, values);
          }
        }
      }
      for (const [key, values] of annotations)
        attributes.addAuditAnnotation?.(`${policyName}/${key}`, values.join(', '));
    }
    if (denials.length > 0) throw this.denied(attributes, denials[0]);
  }

  private compile(policy: V1ValidatingAdmissionPolicy): CompiledPolicy {
    let compiled = this.compiled.get(policy);
    if (!compiled) {
      compiled = new CompiledPolicy(policy);
      this.compiled.set(policy, compiled);
    }
    return compiled;
  }

  private errorText(error: unknown): string {
    if (error instanceof ParamError || error instanceof InvalidSelectorError) return error.message;
    if (isApiError(error)) return error.message;
    throw error;
  }

  /** kube's denial: admission.NewForbidden with the decision's reason and the code it maps to. */
  private denied(attributes: AdmissionAttributes, denial: Denial): ApiError {
    const message = denial.binding
      ? `ValidatingAdmissionPolicy '${denial.policy}' with binding '${denial.binding}' denied request: ${denial.message}`
      : `ValidatingAdmissionPolicy '${denial.policy}' denied request: ${denial.message}`;
    const forbidden = admissionForbidden(attributes, message);
    return new ApiError({
      ...forbidden.status,
      code: reasonToCode(denial.reason),
      reason: denial.reason as StatusReason,
      details: { ...forbidden.status.details, causes: [{ message }] },
    });
  }
}
