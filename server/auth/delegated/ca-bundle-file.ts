import type { X509Certificate } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '../../util/logger.js';
import { parseCertificateBundle } from '../x509-authenticator.js';
import { messageOf } from './kube-client.js';

/**
 * A PEM CA bundle named by a flag (--client-ca-file, --requestheader-client-ca-file): read when
 * constructed, where a missing, unreadable or certificate-less file is a startup error; then,
 * once watched, re-read whenever it changes, where the same faults keep the last good bundle
 * (a rotation written in two steps must not leave the server trusting nothing).
 */
export class CABundleFile {
  private certificates: readonly X509Certificate[];
  /** The text the certificates were read from: a poll that finds the same text changes nothing. */
  private text = '';
  private listener: (() => void) | undefined;
  private firstCheck: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    readonly flag: string,
  ) {
    this.certificates = this.read();
  }

  /** The last good bundle. */
  get current(): readonly X509Certificate[] {
    return this.certificates;
  }

  /**
   * Polls the file (a stat every `intervalMs`: fs.watch stays on the old inode when a mounted
   * Secret or ConfigMap swaps its symlink) and calls `onChange` after each successful re-read.
   * Does not keep the process alive.
   */
  watch(options: { readonly intervalMs: number; readonly log: Logger; readonly onChange: () => void }): void {
    if (this.listener) return;
    const { log, onChange } = options;
    this.listener = () => {
      try {
        if (this.currentText() === this.text) return;
        this.certificates = this.read();
      } catch (error) {
        log.error('could not reload a CA file; keeping the previous certificates', {
          flag: this.flag,
          error: messageOf(error),
        });
        return;
      }
      log.info(1, 'reloaded a CA file', { flag: this.flag, file: this.file });
      onChange();
    };
    watchFile(this.file, { interval: options.intervalMs, persistent: false }, this.listener);
    // watchFile takes its first stat asynchronously: a change made before it would go unseen.
    this.firstCheck = setTimeout(this.listener, options.intervalMs);
    this.firstCheck.unref();
  }

  stop(): void {
    if (!this.listener) return;
    clearTimeout(this.firstCheck);
    unwatchFile(this.file, this.listener);
    this.listener = undefined;
  }

  private currentText(): string {
    return readFileSync(this.file, 'utf8');
  }

  private read(): X509Certificate[] {
    let certificates: X509Certificate[];
    let text: string;
    try {
      text = this.currentText();
      certificates = parseCertificateBundle(text);
    } catch (error) {
      throw new Error(`${this.flag}: cannot read ${this.file}: ${messageOf(error)}`);
    }
    if (certificates.length === 0) throw new Error(`${this.flag}: ${this.file} holds no PEM certificate`);
    this.text = text;
    return certificates;
  }
}
