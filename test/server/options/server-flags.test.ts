import { FlagError, usage } from '../../../server/options/flag-parser.js';
import { parseServerFlags, serverFlagSpecs } from '../../../server/options/server-flags.js';
import { formatGoDuration } from '../../../api/go-duration.js';
import { openSslCipherList } from '../../../server/options/cipher-suites.js';

describe('server flags follow the generic apiserver', () => {
  test("the seed's arguments parse unchanged", () => {
    const flags = parseServerFlags([
      '--etcd-servers=http://etcd:2379',
      '--secure-port=6443',
      '--cert-dir=/var/run/apiserver',
      '--v=4',
    ]);
    expect(flags.etcdServers).toEqual(['http://etcd:2379']);
    expect(flags.securePort).toBe(6443);
    expect(flags.certDir).toBe('/var/run/apiserver');
    expect(flags.verbosity).toBe(4);
  });

  test('space-separated values, durations, lists and bare booleans', () => {
    const flags = parseServerFlags([
      '--bind-address',
      '127.0.0.1',
      '--request-timeout=1m30s',
      '--authorization-always-allow-paths=/healthz,/metrics',
      '--watch-cache=false',
      '--authentication-skip-lookup',
    ]);
    expect(flags.bindAddress).toBe('127.0.0.1');
    expect(flags.requestTimeout).toBe(90_000);
    expect(flags.authorizationAlwaysAllowPaths).toEqual(['/healthz', '/metrics']);
    expect(flags.watchCache).toBe(false);
    expect(flags.authenticationSkipLookup).toBe(true);
  });

  test('defaults are those of the Go server', () => {
    const flags = parseServerFlags([]);
    expect(flags.securePort).toBe(443);
    expect(flags.maxRequestsInflight).toBe(400);
    expect(flags.maxMutatingRequestsInflight).toBe(200);
    expect(flags.requestTimeout).toBe(60_000);
    expect(flags.minRequestTimeout).toBe(1800);
    expect(flags.authorizationAlwaysAllowPaths).toEqual(['/healthz', '/readyz', '/livez']);
  });

  test.each([
    [['--no-such-flag=1'], 'unknown flag: --no-such-flag'],
    [['--secure-port=https'], 'invalid argument "https" for "--secure-port" flag'],
    [['--request-timeout=soon'], 'invalid argument "soon" for "--request-timeout" flag'],
    [['positional'], 'unexpected argument "positional"'],
    [['--secure-port'], 'flag needs an argument: --secure-port'],
  ])('%j fails with a clear message', (argv, message) => {
    expect(() => parseServerFlags(argv)).toThrow(FlagError);
    expect(() => parseServerFlags(argv)).toThrow(message);
  });
});

describe('--tls-cipher-suites takes the IANA names kube-apiserver takes', () => {
  test('they become an OpenSSL cipher list', () => {
    expect(
      openSslCipherList(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384']),
    ).toBe('ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384');
    expect(openSslCipherList([])).toBeUndefined();
  });

  test('an unknown suite is a flag error', () => {
    expect(() => openSslCipherList(['TLS_NULL_WITH_NULL_NULL'])).toThrow(
      /unsupported cipher suite "TLS_NULL_WITH_NULL_NULL"/,
    );
  });
});

describe('--help', () => {
  test('shows each default in the form its flag takes, and the flag accepts it back', () => {
    const help = usage(serverFlagSpecs);
    expect(help).toContain('--request-timeout value');
    expect(help).toMatch(/--request-timeout value\n.*\(default 1m0s\)/);
    expect(help).toMatch(/--self-managed-tls-ca-validity value\n.*\(default 87600h0m0s\)/);
    expect(help).toMatch(/--shutdown-delay-duration value\n.*\(default 0s\)/);
    for (const spec of Object.values(serverFlagSpecs)) {
      if (!spec.formatDefault) continue;
      const shown = spec.formatDefault(spec.default as never);
      expect({ flag: spec.name, parsed: spec.parse(shown) }).toEqual({
        flag: spec.name,
        parsed: spec.default,
      });
    }
  });

  test('formats Go durations as Go does', () => {
    expect([0, 500, 10_000, 90_000, 3_600_000, 5_400_500].map(formatGoDuration)).toEqual([
      '0s',
      '500ms',
      '10s',
      '1m30s',
      '1h0m0s',
      '1h30m0.5s',
    ]);
  });
});
