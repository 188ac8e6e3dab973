import { createPrivateKey } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import {
  type CertificateUses,
  certificateRequest,
  generatePrivateKey,
  locallySignedCertificate,
  selfSignedCertificate,
  type SubjectSpec,
} from './x509-minting.js';

/** The @pulumi/tls type tokens the mocks implement. */
export const TLS_TYPES = {
  privateKey: 'tls:index/privateKey:PrivateKey',
  selfSignedCert: 'tls:index/selfSignedCert:SelfSignedCert',
  certRequest: 'tls:index/certRequest:CertRequest',
  locallySignedCert: 'tls:index/locallySignedCert:LocallySignedCert',
} as const;

/**
 * The outputs the tls provider would compute for a @pulumi/tls resource, minted from its inputs
 * (real keys and certificates), or undefined for other types. Inputs arrive as the engine sees
 * them: secrets wrapped, which is unwrapped here. The outputs are not marked secret: the engine
 * does that for the provider (additionalSecretOutputs), mocks do not, so whatever code under test
 * exposes must be made secret by that code.
 */
export async function tlsProviderOutputs(
  type: string,
  wireInputs: Record<string, unknown>,
): Promise<Record<string, unknown> | undefined> {
  const inputs = new TlsInputs(type, wireInputs);
  switch (type) {
    case TLS_TYPES.privateKey: {
      const algorithm = inputs.string('algorithm');
      return {
        ...(await generatePrivateKey({
          algorithm,
          rsaBits: inputs.optionalNumber('rsaBits'),
          ecdsaCurve: inputs.optionalString('ecdsaCurve'),
        })),
        algorithm,
      };
    }
    case TLS_TYPES.selfSignedCert: {
      const privateKeyPem = inputs.string('privateKeyPem');
      const minted = await selfSignedCertificate({
        privateKeyPem,
        subject: inputs.subject(),
        dnsNames: inputs.strings('dnsNames'),
        ipAddresses: inputs.strings('ipAddresses'),
        uses: inputs.uses(),
      });
      return {
        ...minted,
        ...renewal(inputs, minted.validityEndTime),
        keyAlgorithm: keyAlgorithm(privateKeyPem),
      };
    }
    case TLS_TYPES.certRequest: {
      const privateKeyPem = inputs.string('privateKeyPem');
      const certRequestPem = await certificateRequest({
        privateKeyPem,
        subject: inputs.subject(),
        dnsNames: inputs.strings('dnsNames'),
        ipAddresses: inputs.strings('ipAddresses'),
      });
      return { certRequestPem, keyAlgorithm: keyAlgorithm(privateKeyPem) };
    }
    case TLS_TYPES.locallySignedCert: {
      const caPrivateKeyPem = inputs.string('caPrivateKeyPem');
      const minted = await locallySignedCertificate({
        certRequestPem: inputs.string('certRequestPem'),
        caCertPem: inputs.string('caCertPem'),
        caPrivateKeyPem,
        uses: inputs.uses(),
      });
      return {
        ...minted,
        ...renewal(inputs, minted.validityEndTime),
        caKeyAlgorithm: keyAlgorithm(caPrivateKeyPem),
      };
    }
    default:
      return undefined;
  }
}

/** The provider's name of a key's algorithm. */
function keyAlgorithm(privateKeyPem: string): string {
  const type = createPrivateKey(privateKeyPem).asymmetricKeyType;
  return type === 'ec' ? 'ECDSA' : (type ?? 'unknown').toUpperCase();
}

/** `readyForRenewal` as the provider computes it at creation. */
function renewal(inputs: TlsInputs, validityEndTime: string): Record<string, unknown> {
  const earlyRenewalHours = inputs.optionalNumber('earlyRenewalHours') ?? 0;
  const renewAt = new Date(validityEndTime).getTime() - earlyRenewalHours * 60 * 60 * 1000;
  return { earlyRenewalHours, readyForRenewal: Date.now() >= renewAt };
}

/** Typed access to a resource's wire inputs, failing like the provider on a missing one. */
class TlsInputs {
  constructor(
    private readonly type: string,
    private readonly wire: Record<string, unknown>,
  ) {}

  public string(field: string): string {
    const value = this.optionalString(field);
    if (value === undefined) throw new Error(`mock ${this.type}: missing input ${field}`);
    return value;
  }

  public optionalString(field: string): string | undefined {
    const value = this.value(field);
    if (value !== undefined && typeof value !== 'string') throw this.invalid(field, 'a string');
    return value;
  }

  public optionalNumber(field: string): number | undefined {
    const value = this.value(field);
    if (value !== undefined && typeof value !== 'number') throw this.invalid(field, 'a number');
    return value;
  }

  public strings(field: string): string[] {
    const value = this.value(field) ?? [];
    if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
      throw this.invalid(field, 'a list of strings');
    }
    return value;
  }

  public subject(): SubjectSpec {
    const subject = this.value('subject') ?? {};
    if (typeof subject !== 'object' || subject === null) throw this.invalid('subject', 'an object');
    const fields = Object.fromEntries(Object.entries(subject).map(([k, v]) => [k, unwrap(v)])) as Record<
      string,
      unknown
    >;
    const text = (name: keyof SubjectSpec) => (typeof fields[name] === 'string' ? fields[name] : undefined);
    return {
      commonName: text('commonName'),
      organization: text('organization'),
      organizationalUnit: text('organizationalUnit'),
      country: text('country'),
      province: text('province'),
      locality: text('locality'),
    };
  }

  public uses(): CertificateUses {
    const validityPeriodHours = this.optionalNumber('validityPeriodHours');
    if (validityPeriodHours === undefined)
      throw new Error(`mock ${this.type}: missing input validityPeriodHours`);
    const isCaCertificate = this.value('isCaCertificate');
    const setSubjectKeyId = this.value('setSubjectKeyId');
    return {
      allowedUses: this.strings('allowedUses'),
      validityPeriodHours,
      isCaCertificate: isCaCertificate === true,
      setSubjectKeyId: setSubjectKeyId === true,
    };
  }

  private value(field: string): unknown {
    return unwrap(this.wire[field]);
  }

  private invalid(field: string, what: string): Error {
    return new Error(`mock ${this.type}: input ${field} must be ${what}`);
  }
}

/** A value without the engine's secret wrapper (`{ <sig>: <secret sig>, value }`). */
function unwrap(value: unknown): unknown {
  return pulumi.runtime.isRpcSecret(value) ? unwrap(pulumi.runtime.unwrapRpcSecret(value)) : value;
}
