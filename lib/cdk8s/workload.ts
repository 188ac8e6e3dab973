import type { V1Container, V1PodTemplateSpec, V1Probe, V1Volume } from '@kubernetes/client-node';
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { kubeQuantities, overlay } from './metadata.js';

/**
 * Realizes core pod templates with cdk8s-plus. cdk8s-plus renders the containers, ports, probes,
 * environment, volumes and mounts; what it cannot express (resources in the exact quantities given,
 * `capabilities.drop: [ALL]`, the seccomp profile, topology spread, priority class, node
 * selector, tolerations, image pull secrets, mounts of StatefulSet claim templates) is added as
 * JSON patches taken from the same core object, and the path-derived `cdk8s.io/metadata.addr`
 * label is removed from the pod template so that nothing in the output depends on construct ids.
 */

/** cdk8s-plus props of the pod template of a workload (pass with `select: false`). */
export function podProps(
  template: V1PodTemplateSpec,
  serviceAccount?: kplus.IServiceAccount,
): kplus.WorkloadProps {
  const spec = template.spec;
  const sc = spec?.securityContext;
  return {
    select: false,
    podMetadata: {
      ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
    },
    serviceAccount,
    automountServiceAccountToken: spec?.automountServiceAccountToken ?? false,
    securityContext: {
      ensureNonRoot: sc?.runAsNonRoot ?? false,
      user: sc?.runAsUser,
      group: sc?.runAsGroup,
      fsGroup: sc?.fsGroup,
      fsGroupChangePolicy: sc?.fsGroupChangePolicy as kplus.FsGroupChangePolicy | undefined,
    },
  };
}

/** cdk8s-plus volumes for the pod volumes, by name. */
export function podVolumes(
  scope: Construct,
  volumes: readonly V1Volume[],
  claims: ReadonlyMap<string, kplus.IPersistentVolumeClaim> = new Map(),
): Map<string, kplus.Volume> {
  const result = new Map<string, kplus.Volume>();
  for (const v of volumes) {
    const id = `Volume-${v.name}`;
    if (v.secret?.secretName) {
      const secret = kplus.Secret.fromSecretName(scope, `${id}-Secret`, v.secret.secretName);
      result.set(
        v.name,
        kplus.Volume.fromSecret(scope, id, secret, { name: v.name, defaultMode: v.secret.defaultMode }),
      );
    } else if (v.emptyDir) {
      result.set(v.name, kplus.Volume.fromEmptyDir(scope, id, v.name));
    } else if (v.persistentVolumeClaim) {
      const claimName = v.persistentVolumeClaim.claimName;
      const claim =
        claims.get(claimName) ?? kplus.PersistentVolumeClaim.fromClaimName(scope, `${id}-Claim`, claimName);
      result.set(
        v.name,
        kplus.Volume.fromPersistentVolumeClaim(scope, id, claim, {
          name: v.name,
          readOnly: v.persistentVolumeClaim.readOnly,
        }),
      );
    } else {
      throw new Error(
        `volume ${v.name}: only secret, emptyDir and persistentVolumeClaim volumes are supported`,
      );
    }
  }
  return result;
}

function probe(p: V1Probe | undefined): kplus.Probe | undefined {
  if (!p) return undefined;
  if (!p.httpGet) throw new Error('only httpGet probes are supported');
  const seconds = (s: number | undefined) => (s === undefined ? undefined : Duration.seconds(s));
  return kplus.Probe.fromHttpGet(p.httpGet.path ?? '/', {
    port: Number(p.httpGet.port),
    scheme: p.httpGet.scheme as kplus.ConnectionScheme | undefined,
    periodSeconds: seconds(p.periodSeconds),
    timeoutSeconds: seconds(p.timeoutSeconds),
    initialDelaySeconds: seconds(p.initialDelaySeconds),
    failureThreshold: p.failureThreshold,
    successThreshold: p.successThreshold,
  });
}

/** cdk8s-plus props of a container (resources and capabilities are patched, see addContainers). */
export function containerProps(c: V1Container): kplus.ContainerProps {
  if (!c.image) throw new Error(`container ${c.name} needs an image`);
  const env: Record<string, kplus.EnvValue> = {};
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = kplus.EnvValue.fromValue(e.value);
    else if (e.valueFrom?.fieldRef) {
      env[e.name] = kplus.EnvValue.fromFieldRef(e.valueFrom.fieldRef.fieldPath as kplus.EnvFieldPaths);
    } else throw new Error(`container ${c.name}: env ${e.name} must be a value or a fieldRef`);
  }
  const sc = c.securityContext;
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: c.imagePullPolicy as kplus.ImagePullPolicy | undefined,
    command: c.command,
    args: c.args,
    ports: c.ports?.map((p) => ({
      number: p.containerPort,
      name: p.name,
      protocol: p.protocol as kplus.Protocol | undefined,
    })),
    envVariables: env,
    startup: probe(c.startupProbe),
    liveness: probe(c.livenessProbe),
    readiness: probe(c.readinessProbe),
    // Empty: cdk8s-plus would otherwise invent 1000m/512Mi requests and 1500m/2Gi limits.
    resources: {},
    securityContext: {
      ensureNonRoot: sc?.runAsNonRoot ?? false,
      privileged: sc?.privileged ?? false,
      readOnlyRootFilesystem: sc?.readOnlyRootFilesystem ?? false,
      allowPrivilegeEscalation: sc?.allowPrivilegeEscalation,
      user: sc?.runAsUser,
      group: sc?.runAsGroup,
    },
  };
}

/**
 * Adds the template's containers to a workload, mounts their volumes, and patches the pod
 * template with what cdk8s-plus cannot express (see the module comment). Mounts of volumes that
 * are not pod volumes (StatefulSet claim templates) are patched in as well.
 */
export function addContainers(
  workload: kplus.Workload,
  template: V1PodTemplateSpec,
  volumes: ReadonlyMap<string, kplus.Volume>,
): kplus.Container[] {
  const spec = template.spec;
  if (!spec) throw new Error('pod template without spec');
  const containers = spec.containers.map((c, index) => {
    const container = workload.addContainer(containerProps(c));
    const patchedMounts: NonNullable<V1Container['volumeMounts']> = [];
    for (const m of c.volumeMounts ?? []) {
      const volume = volumes.get(m.name);
      if (volume) container.mount(m.mountPath, volume, { readOnly: m.readOnly });
      else patchedMounts.push(m);
    }
    const path = `/spec/template/spec/containers/${index}`;
    overlay(workload, `${path}/resources`, {
      limits: kubeQuantities(c.resources?.limits),
      requests: kubeQuantities(c.resources?.requests),
    });
    overlay(workload, `${path}/securityContext/capabilities`, c.securityContext?.capabilities);
    if (patchedMounts.length > 0) {
      if ((c.volumeMounts ?? []).length !== patchedMounts.length) {
        throw new Error(`container ${c.name}: cannot mix pod volumes and claim-template mounts`);
      }
      overlay(workload, `${path}/volumeMounts`, patchedMounts);
    }
    return container;
  });
  const apiObject = ApiObject.of(workload);
  apiObject.addJsonPatch(
    JsonPatch.remove(`/spec/template/metadata/labels/${kplus.Pod.ADDRESS_LABEL.replace('/', '~1')}`),
  );
  overlay(
    workload,
    '/spec/template/spec/securityContext/seccompProfile',
    spec.securityContext?.seccompProfile,
  );
  overlay(workload, '/spec/template/spec/priorityClassName', spec.priorityClassName);
  overlay(workload, '/spec/template/spec/nodeSelector', spec.nodeSelector);
  overlay(workload, '/spec/template/spec/tolerations', spec.tolerations);
  overlay(workload, '/spec/template/spec/topologySpreadConstraints', spec.topologySpreadConstraints);
  overlay(workload, '/spec/template/spec/imagePullSecrets', spec.imagePullSecrets);
  return containers;
}
