import { auditFlagSpecs } from './audit-flags.js';
import { flagTypes, parseFlags } from './flag-parser.js';

const { string, integer, boolean, stringList, duration } = flagTypes;
const dur = duration;

/** The server's flags: those of the Kubernetes generic apiserver it stands in for, plus standalone mode. */
export const serverFlagSpecs = {
  securePort: integer(
    'secure-port',
    443,
    'The port on which to serve HTTPS with authentication and authorization.',
  ),
  bindAddress: string(
    'bind-address',
    '0.0.0.0',
    'The IP address on which to listen for the --secure-port port.',
  ),
  certDir: string(
    'cert-dir',
    'apiserver.local.config/certificates',
    'The directory where a self-signed certificate is generated when --tls-cert-file and --tls-private-key-file are not given.',
  ),
  tlsCertFile: string(
    'tls-cert-file',
    '',
    'File containing the default x509 certificate for HTTPS (CA cert, if any, concatenated after server cert).',
  ),
  tlsPrivateKeyFile: string(
    'tls-private-key-file',
    '',
    'File containing the default x509 private key matching --tls-cert-file.',
  ),
  selfManagedTlsSecret: string(
    'self-managed-tls-secret',
    '',
    'Namespace/name of a Secret in which the server keeps its own CA and serving certificate, shared by every replica, rotated before expiry; the caBundle of --self-managed-tls-apiservices follows it. Empty: off.',
  ),
  selfManagedTlsApiservices: stringList(
    'self-managed-tls-apiservices',
    [],
    'APIServices whose caBundle the server keeps equal to the CA bundle of --self-managed-tls-secret.',
  ),
  selfManagedTlsHosts: stringList(
    'self-managed-tls-hosts',
    [],
    'DNS names and IP addresses the self-managed serving certificate covers; the first is its common name.',
  ),
  selfManagedTlsCaValidity: dur(
    'self-managed-tls-ca-validity',
    87_600 * 3_600_000,
    'Lifetime of each self-managed CA; it is rotated once two thirds of it have passed.',
  ),
  selfManagedTlsValidity: dur(
    'self-managed-tls-validity',
    8_760 * 3_600_000,
    'Lifetime of each self-managed serving certificate; it is re-issued once two thirds of it have passed.',
  ),
  selfManagedTlsRotationOverlap: dur(
    'self-managed-tls-rotation-overlap',
    600_000,
    'How long each half of a CA rotation lasts (new CA trusted before it signs; old CA trusted after it stopped signing); longer than --self-managed-tls-sync-period.',
  ),
  selfManagedTlsSyncPeriod: dur(
    'self-managed-tls-sync-period',
    60_000,
    'How often each replica reads the self-managed TLS Secret, takes due rotation steps and checks the caBundles.',
  ),
  selfManagedEtcdTlsSecret: string(
    'self-managed-etcd-tls-secret',
    '',
    'Namespace/name of a Secret in which the server keeps the PKI of its dedicated etcd (CA, members, its own client certificate), creating it on first start; --etcd-cafile, --etcd-certfile and --etcd-keyfile then point at files it writes to --cert-dir. Empty: off.',
  ),
  selfManagedEtcdTlsMemberHosts: stringList(
    'self-managed-etcd-tls-member-hosts',
    [],
    'DNS names (wildcards allowed) and IP addresses the certificate of the etcd members covers.',
  ),
  tlsMinVersion: string(
    'tls-min-version',
    'VersionTLS12',
    'Minimum TLS version supported: VersionTLS12 or VersionTLS13.',
  ),
  tlsCipherSuites: stringList(
    'tls-cipher-suites',
    [],
    'Comma-separated list of TLS 1.2 cipher suites for the server, by IANA name (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ...).',
  ),
  maxRequestsInflight: integer(
    'max-requests-inflight',
    400,
    'The maximum number of non-mutating requests in flight at a given time; 0 means no limit.',
  ),
  maxMutatingRequestsInflight: integer(
    'max-mutating-requests-inflight',
    200,
    'The maximum number of mutating requests in flight at a given time; 0 means no limit.',
  ),
  requestTimeout: dur(
    'request-timeout',
    60_000,
    'The duration a handler must keep a request open before timing it out (watches excepted).',
  ),
  minRequestTimeout: integer(
    'min-request-timeout',
    1800,
    'The minimum number of seconds a watch stays open before the server ends it, when the client sets no timeoutSeconds.',
  ),
  shutdownDelayDuration: dur(
    'shutdown-delay-duration',
    0,
    'Time to keep serving after SIGTERM while /readyz fails, so load balancers stop sending new requests.',
  ),
  shutdownTimeout: dur(
    'shutdown-timeout',
    60_000,
    'How long to wait for in-flight requests to finish on shutdown.',
  ),
  verbosity: integer('v', 0, 'Number for the log level verbosity.'),
  loggingFormat: string('logging-format', 'json', 'Sets the log format: json.'),
  dataDir: string(
    'data-dir',
    '.data',
    'Directory of the embedded database (used when --etcd-servers is empty).',
  ),
  etcdServers: stringList(
    'etcd-servers',
    [],
    'List of etcd servers to connect with (scheme://ip:port), comma separated. Empty: embedded storage.',
  ),
  etcdPrefix: string('etcd-prefix', '/registry', 'The prefix to prepend to all resource paths in etcd.'),
  etcdCafile: string('etcd-cafile', '', 'SSL Certificate Authority file used to secure etcd communication.'),
  etcdCertfile: string('etcd-certfile', '', 'SSL certification file used to secure etcd communication.'),
  etcdKeyfile: string('etcd-keyfile', '', 'SSL key file used to secure etcd communication.'),
  etcdCompactionInterval: dur(
    'etcd-compaction-interval',
    300_000,
    'The interval of compaction requests. If 0, compaction from the apiserver is disabled.',
  ),
  watchCache: boolean('watch-cache', true, 'Enable the watch cache in front of storage.'),
  kubeconfig: string(
    'kubeconfig',
    '',
    'kubeconfig file pointing at the core kubernetes server (namespaces and delegated auth).',
  ),
  authenticationKubeconfig: string(
    'authentication-kubeconfig',
    '',
    'kubeconfig file pointing at the core kubernetes server with enough rights to create tokenreviews. Empty: in-cluster.',
  ),
  authorizationKubeconfig: string(
    'authorization-kubeconfig',
    '',
    'kubeconfig file pointing at the core kubernetes server with enough rights to create subjectaccessreviews. Empty: in-cluster.',
  ),
  authenticationSkipLookup: boolean(
    'authentication-skip-lookup',
    false,
    'If false, the authentication-kubeconfig is used to look up missing authentication configuration from the cluster.',
  ),
  authenticationTolerateLookupFailure: boolean(
    'authentication-tolerate-lookup-failure',
    false,
    'If true, failures to look up missing authentication configuration from the cluster are not fatal.',
  ),
  authenticationTokenWebhookCacheTtl: dur(
    'authentication-token-webhook-cache-ttl',
    10_000,
    'The duration to cache responses from the webhook token authenticator.',
  ),
  authorizationWebhookCacheAuthorizedTtl: dur(
    'authorization-webhook-cache-authorized-ttl',
    10_000,
    'The duration to cache authorized responses from the webhook authorizer.',
  ),
  authorizationWebhookCacheUnauthorizedTtl: dur(
    'authorization-webhook-cache-unauthorized-ttl',
    10_000,
    'The duration to cache unauthorized responses from the webhook authorizer.',
  ),
  authorizationAlwaysAllowPaths: stringList(
    'authorization-always-allow-paths',
    ['/healthz', '/readyz', '/livez'],
    'A list of HTTP paths to skip during authorization.',
  ),
  clientCaFile: string(
    'client-ca-file',
    '',
    'Client certificates signed by this CA authenticate as their CN, with their O as groups.',
  ),
  requestheaderClientCaFile: string(
    'requestheader-client-ca-file',
    '',
    'Root certificate bundle to verify client certificates on incoming requests before trusting usernames in headers.',
  ),
  requestheaderAllowedNames: stringList(
    'requestheader-allowed-names',
    [],
    'List of client certificate common names to allow to provide usernames in headers. Empty: any.',
  ),
  requestheaderUsernameHeaders: stringList(
    'requestheader-username-headers',
    [],
    'List of request headers to inspect for usernames. X-Remote-User is common.',
  ),
  requestheaderUidHeaders: stringList(
    'requestheader-uid-headers',
    [],
    'List of request headers to inspect for UIDs. X-Remote-Uid is suggested.',
  ),
  requestheaderGroupHeaders: stringList(
    'requestheader-group-headers',
    [],
    'List of request headers to inspect for groups. X-Remote-Group is suggested.',
  ),
  requestheaderExtraHeadersPrefix: stringList(
    'requestheader-extra-headers-prefix',
    [],
    'List of request header prefixes to inspect. X-Remote-Extra- is suggested.',
  ),
  resourceDefinitions: stringList(
    'resource-definitions',
    [],
    'JSON files of declarative resource definitions (ResourceDefinitionList) to serve besides the built-in resources; a bad file stops the server at startup.',
  ),
  resources: stringList(
    'resources',
    [],
    'Serve only these of the resources the server knows, as plural.group (e.g. widgets.acme.io); empty: all of them.',
  ),
  disableAdmissionPlugins: stringList(
    'disable-admission-plugins',
    [],
    'Admission plugins to turn off: NamespaceLifecycle, MutatingAdmissionWebhook, ValidatingAdmissionPolicy, ValidatingAdmissionWebhook, or a plugin the server entry adds.',
  ),
  ...auditFlagSpecs,
  standalone: boolean(
    'standalone',
    false,
    'Serve without a cluster: mint a local CA, serving and admin client certificates and write <data-dir>/kubeconfig.',
  ),
};

export type ServerFlags = ReturnType<typeof parseServerFlags>;

export function parseServerFlags(argv: readonly string[]) {
  return parseFlags(serverFlagSpecs, argv);
}
