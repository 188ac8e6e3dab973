import { Agent, request } from 'node:https';
import type { AdmissionregistrationV1WebhookClientConfig } from '@kubernetes/client-node';

/** A webhook could not be called, or answered nonsense: its failurePolicy decides (kube's ErrCallingWebhook). */
export class WebhookCallError extends Error {
  override readonly name = 'WebhookCallError';
  constructor(
    readonly webhook: string,
    readonly reason: string,
  ) {
    super(`failed calling webhook "${webhook}": ${reason}`);
  }
}

/** A webhook's answer larger than this is refused, so one webhook cannot exhaust the server's memory. */
export const maxWebhookResponseBytes = 10 * 1024 * 1024;

/** Where a client config points: a URL, or `https://<service>.<namespace>.svc:<port><path>` as kube's default service resolver builds it. */
export function webhookUrl(config: AdmissionregistrationV1WebhookClientConfig, timeoutSeconds: number): URL {
  let url: URL;
  if (config.url) url = new URL(config.url);
  else if (config.service) {
    const { name, namespace, port, path } = config.service;
    url = new URL(`https://${name}.${namespace}.svc:${port ?? 443}`);
    url.pathname = path ?? '/';
  } else throw new Error('the webhook has neither url nor service');
  if (url.protocol !== 'https:') throw new Error(`the webhook URL ${url.origin} is not https`);
  // kube-apiserver tells the webhook its deadline the same way.
  url.searchParams.set('timeout', `${timeoutSeconds}s`);
  return url;
}

/**
 * Calls admission webhooks over verified TLS: the client config's caBundle (PEM, as the API
 * carries it base64-encoded) or the system roots, the host name checked, one keep-alive agent
 * per trust root.
 */
export class WebhookClient {
  private readonly agents = new Map<string, Agent>();

  /** POSTs `body` as JSON and resolves with the parsed answer; throws WebhookCallError. */
  async post(
    webhook: string,
    config: AdmissionregistrationV1WebhookClientConfig,
    body: unknown,
    timeoutSeconds: number,
  ): Promise<unknown> {
    let url: URL;
    try {
      url = webhookUrl(config, timeoutSeconds);
    } catch (error) {
      throw new WebhookCallError(webhook, `failed to call webhook: ${(error as Error).message}`);
    }
    const shown = `Post "${url.href}"`;
    const payload = JSON.stringify(body);
    const text = await new Promise<string>((resolve, reject) => {
      const fail = (reason: string): void => reject(new WebhookCallError(webhook, reason));
      const req = request(
        url,
        {
          method: 'POST',
          agent: this.agent(config.caBundle),
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json',
            'Content-Length': Buffer.byteLength(payload),
          },
          timeout: timeoutSeconds * 1000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxWebhookResponseBytes) {
              req.destroy();
              fail(`failed to call webhook: the response is larger than ${maxWebhookResponseBytes} bytes`);
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (error) => fail(`failed to call webhook: ${shown}: ${error.message}`));
          res.on('end', () => {
            const answer = Buffer.concat(chunks).toString('utf8');
            const code = res.statusCode ?? 0;
            if (code < 200 || code > 299)
              fail(
                `failed to call webhook: the server responded with the status code ${code}${answer ? `: ${answer.slice(0, 256)}` : ''}`,
              );
            else resolve(answer);
          });
        },
      );
      req.on('timeout', () => {
        req.destroy(new Error('context deadline exceeded'));
      });
      req.on('error', (error) => fail(`failed to call webhook: ${shown}: ${error.message}`));
      req.end(payload);
    });
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new WebhookCallError(
        webhook,
        `received invalid webhook response: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private agent(caBundle: string | undefined): Agent {
    const key = caBundle ?? '';
    let agent = this.agents.get(key);
    if (!agent) {
      // Configurations change rarely; keep a bounded set of trust roots. Agents dropped here
      // are not destroyed, so calls under way on them finish.
      if (this.agents.size >= 64) this.agents.clear();
      agent = new Agent({
        keepAlive: true,
        ...(caBundle ? { ca: Buffer.from(caBundle, 'base64').toString('utf8') } : {}),
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
