import * as pulumi from '@pulumi/pulumi';
import * as tls from '@pulumi/tls';
import { PULUMI_TLS_ALLOWED_USES, type ServingCertificateSpec } from '../core/index.js';
import type { CaArgs } from './args.js';
import type { ServingKeyOptions } from './resolve-args.js';

/** Arguments of servingPki. */
export interface ServingPkiArgs {
  /** What the serving certificate must look like (lib/core's servingCertificateSpec). */
  readonly spec: ServingCertificateSpec;
  /** The algorithm of the generated keys. */
  readonly key: ServingKeyOptions;
  /** Sign with this CA instead of generating one. */
  readonly ca?: CaArgs;
}

/** The @pulumi/tls resources behind a generated serving certificate. */
export interface ServingPki {
  /** Key of the generated CA (absent with a user CA). */
  readonly caPrivateKey?: tls.PrivateKey;
  /** The generated CA: self-signed, `isCaCertificate`, cert-signing uses (absent with a user CA). */
  readonly caCertificate?: tls.SelfSignedCert;
  /** Key of the serving certificate. */
  readonly privateKey: tls.PrivateKey;
  /** The request for the Service's DNS names (and any additional names and IPs). */
  readonly certificateRequest: tls.CertRequest;
  /** The serving certificate, signed by the CA, with server-auth uses. */
  readonly certificate: tls.LocallySignedCert;
  /** The CA's certificate (generated or the user's): what the APIServices trust. */
  readonly caCertificatePem: pulumi.Output<string>;
}

const HOURS_PER_DAY = 24;

/**
 * The serving certificate of lib/core's spec, made with @pulumi/tls: a CA key and a self-signed CA
 * certificate (unless a CA is given), a serving key, a certificate request with the Service's DNS
 * names, and the certificate the CA signs from it. Private keys are handed to the other resources
 * as Pulumi secrets: the tls provider marks them secret only through the engine.
 *
 * @param name prefix of the resource names
 * @param opts options of every resource (the component passes `{ parent }`)
 */
export function servingPki(
  name: string,
  args: ServingPkiArgs,
  opts: pulumi.CustomResourceOptions,
): ServingPki {
  const { spec, key } = args;
  const privateKeyArgs: tls.PrivateKeyArgs =
    key.algorithm === 'RSA'
      ? { algorithm: 'RSA', rsaBits: key.rsaBits }
      : { algorithm: 'ECDSA', ecdsaCurve: key.ecdsaCurve };

  let caPrivateKey: tls.PrivateKey | undefined;
  let caCertificate: tls.SelfSignedCert | undefined;
  let ca: { certificatePem: pulumi.Output<string>; privateKeyPem: pulumi.Output<string> };
  if (args.ca) {
    ca = {
      certificatePem: pulumi.output(args.ca.certificatePem),
      privateKeyPem: pulumi.secret(args.ca.privateKeyPem),
    };
  } else {
    caPrivateKey = new tls.PrivateKey(`${name}-ca-key`, privateKeyArgs, opts);
    const caKeyPem = pulumi.secret(caPrivateKey.privateKeyPem);
    caCertificate = new tls.SelfSignedCert(
      `${name}-ca`,
      {
        privateKeyPem: caKeyPem,
        subject: { commonName: spec.caCommonName },
        isCaCertificate: true,
        allowedUses: [...PULUMI_TLS_ALLOWED_USES.ca],
        validityPeriodHours: spec.caValidityDays * HOURS_PER_DAY,
        // The serving certificate's authority key id then names this CA.
        setSubjectKeyId: true,
      },
      opts,
    );
    ca = { certificatePem: caCertificate.certPem, privateKeyPem: caKeyPem };
  }

  const privateKey = new tls.PrivateKey(`${name}-serving-key`, privateKeyArgs, opts);
  const certificateRequest = new tls.CertRequest(
    `${name}-serving-csr`,
    {
      privateKeyPem: pulumi.secret(privateKey.privateKeyPem),
      subject: { commonName: spec.commonName },
      dnsNames: [...spec.dnsNames],
      ipAddresses: [...spec.ipAddresses],
    },
    opts,
  );
  const certificate = new tls.LocallySignedCert(
    `${name}-serving-cert`,
    {
      certRequestPem: certificateRequest.certRequestPem,
      caCertPem: ca.certificatePem,
      caPrivateKeyPem: ca.privateKeyPem,
      allowedUses: [...PULUMI_TLS_ALLOWED_USES.serving],
      validityPeriodHours: spec.validityDays * HOURS_PER_DAY,
      earlyRenewalHours: spec.renewBeforeDays * HOURS_PER_DAY,
    },
    opts,
  );
  return {
    caPrivateKey,
    caCertificate,
    privateKey,
    certificateRequest,
    certificate,
    caCertificatePem: ca.certificatePem,
  };
}
