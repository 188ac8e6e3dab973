import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import { parse as parseYaml } from 'yaml';

/** The real server as a separate process, started the way `npm start` does. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly agent: Agent;
  output(): string;
}

export function serverMain(): string {
  return join(process.cwd(), 'server/main.ts');
}

/** Starts the server with `args`; `nodeOptions` go to Node itself (e.g. `--max-old-space-size=300`). */
export async function startServerProcess(args: string[], nodeOptions: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', serverMain(), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`the server did not start: ${output}`)), 30_000);
    const check = (): void => {
      const match = /Serving on https:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(deadline);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`the server exited with ${code}: ${output}`));
    });
  });
  const dataDir = args.find((a) => a.startsWith('--data-dir='))?.slice('--data-dir='.length) ?? '.data';
  const kubeconfig = parseYaml(readFileSync(join(dataDir, 'kubeconfig'), 'utf8')) as {
    clusters: { cluster: { 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const b64 = (s: string): string => Buffer.from(s, 'base64').toString();
  const agent = new Agent({
    ca: b64(kubeconfig.clusters[0].cluster['certificate-authority-data']),
    cert: b64(kubeconfig.users[0].user['client-certificate-data']),
    key: b64(kubeconfig.users[0].user['client-key-data']),
    keepAlive: true,
  });
  return { child, port, agent, output: () => output };
}

/** Runs the server command to completion (for flag errors and --help). */
export function runServerCommand(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', serverMain(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

export interface Reply {
  readonly status: number;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/** One request to a server process as its admin, with a JSON body if given. */
export function call(
  server: ServerProcess,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const r = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        agent: server.agent,
        timeout: 15_000,
        headers: payload ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text, json: <T>() => JSON.parse(text) as T }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(payload);
  });
}
