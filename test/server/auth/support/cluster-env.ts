/** Runs `body` with the in-cluster environment variables set (or unset, for undefined). */
export async function withClusterEnv<T>(
  env: { host?: string; port?: string },
  body: () => Promise<T> | T,
): Promise<T> {
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  const set = (name: string, value: string | undefined): void => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  set('KUBERNETES_SERVICE_HOST', env.host);
  set('KUBERNETES_SERVICE_PORT', env.port);
  try {
    return await body();
  } finally {
    set('KUBERNETES_SERVICE_HOST', saved.host);
    set('KUBERNETES_SERVICE_PORT', saved.port);
  }
}
