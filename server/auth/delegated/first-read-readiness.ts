import type { HealthCheck } from '../../http/health.js';

/**
 * Readiness that holds once something has been read for the first time, and stays: later
 * failures to refresh it keep the server serving with what it read (as k8s.io/apiserver's
 * dynamic certificate content). Until then its health check says why not.
 */
export class FirstReadReadiness {
  /** Resolves at the first read; never rejects. */
  readonly ready: Promise<void>;
  /** Fails, with the last failure's reason, until the first read. */
  readonly healthCheck: HealthCheck;

  private read = false;
  private lastFailure: string | undefined;
  private resolveReady!: () => void;

  /**
   * @param name the health check's name (`/readyz/<name>`)
   * @param what what is read, for the failure message
   */
  constructor(name: string, what: string) {
    this.ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
    this.healthCheck = {
      name,
      check: async () => {
        if (this.read) return;
        const why = this.lastFailure ? `: ${this.lastFailure}` : '';
        throw new Error(`${what} has not been read yet${why}`);
      },
    };
  }

  markRead(): void {
    if (this.read) return;
    this.read = true;
    this.lastFailure = undefined;
    this.resolveReady();
  }

  /** Remembers why reading failed, for the health check (until the first read). */
  recordFailure(reason: string): void {
    if (!this.read) this.lastFailure = reason;
  }
}
