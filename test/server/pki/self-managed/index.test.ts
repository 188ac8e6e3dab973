import { selfManagedServing } from '../../../../server/pki/self-managed/index.js';
import { parseServerFlags } from '../../../../server/options/server-flags.js';
import { silentLogger } from '../../../../server/util/logger.js';

const serve = (...args: string[]) => selfManagedServing(parseServerFlags(args), silentLogger);
const base = ['--self-managed-tls-secret=demo/api-tls', '--self-managed-tls-hosts=api.demo.svc'];

describe('selfManagedServing', () => {
  it('is off without --self-managed-tls-secret', async () => {
    await expect(serve('--cert-dir=/tmp/x')).resolves.toBeUndefined();
  });

  it('refuses a Secret reference that is not <namespace>/<name>', async () => {
    await expect(serve('--self-managed-tls-secret=api-tls', '--self-managed-tls-hosts=a')).rejects.toThrow(
      '"api-tls" must be <namespace>/<name> of a Secret',
    );
  });

  it('refuses serving files next to a self-managed certificate', async () => {
    await expect(serve(...base, '--tls-cert-file=a.crt', '--tls-private-key-file=a.key')).rejects.toThrow(
      'cannot be combined with --tls-cert-file',
    );
  });

  it('needs the hosts the certificate covers', async () => {
    await expect(serve('--self-managed-tls-secret=demo/api-tls')).rejects.toThrow(
      '--self-managed-tls-hosts must name what the certificate covers',
    );
  });

  it('refuses an overlap no longer than the sync period', async () => {
    await expect(
      serve(...base, '--self-managed-tls-rotation-overlap=1m', '--self-managed-tls-sync-period=1m'),
    ).rejects.toThrow('must be longer than --self-managed-tls-sync-period');
  });

  it('refuses a CA that would not outlive its serving certificate', async () => {
    await expect(
      serve(...base, '--self-managed-tls-ca-validity=24h', '--self-managed-tls-validity=48h'),
    ).rejects.toThrow('--self-managed-tls-ca-validity must be at least --self-managed-tls-validity');
  });
});
