import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { CertManagerCertificate, CertManagerIssuer, CertManagerManifests } from '../core/index.js';
import { metadataOf } from './metadata.js';

/** Props of CertManagerServingCertificate. */
export interface CertManagerServingCertificateProps {
  /** The cert-manager objects rendered by lib/core (renderManifests(...).certManager). */
  readonly manifests: CertManagerManifests;
}

/**
 * cert-manager objects issuing the serving certificate: by default a self-signed bootstrap
 * Issuer, a CA Certificate and a CA Issuer, then the serving Certificate (whose Secret the pods
 * mount and whose CA the injector copies into the APIServices). Plain ApiObjects: there are no
 * generated classes for cert-manager kinds here.
 */
export class CertManagerServingCertificate extends Construct {
  /** Self-signed bootstrap Issuer (absent with a user-named issuer). */
  public readonly selfSignedIssuer?: ApiObject;
  /** The deployment's CA Certificate (absent with a user-named issuer). */
  public readonly caCertificate?: ApiObject;
  /** CA Issuer signing the serving certificate (absent with a user-named issuer). */
  public readonly caIssuer?: ApiObject;
  /** The serving Certificate. */
  public readonly servingCertificate: ApiObject;

  constructor(scope: Construct, id: string, props: CertManagerServingCertificateProps) {
    super(scope, id);
    const m = props.manifests;
    if (m.selfSignedIssuer) this.selfSignedIssuer = apiObject(this, 'SelfSignedIssuer', m.selfSignedIssuer);
    if (m.caCertificate) this.caCertificate = apiObject(this, 'CaCertificate', m.caCertificate);
    if (m.caIssuer) this.caIssuer = apiObject(this, 'CaIssuer', m.caIssuer);
    this.servingCertificate = apiObject(this, 'ServingCertificate', m.servingCertificate);
    const chain = [this.selfSignedIssuer, this.caCertificate, this.caIssuer, this.servingCertificate];
    for (let i = 1; i < chain.length; i++) {
      const [before, after] = [chain[i - 1], chain[i]];
      if (before && after) after.addDependency(before);
    }
  }
}

function apiObject(scope: Construct, id: string, m: CertManagerIssuer | CertManagerCertificate): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: m.apiVersion,
    kind: m.kind,
    metadata: metadataOf(m.metadata),
    spec: m.spec,
  });
}
