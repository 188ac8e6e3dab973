import type { Controller, ControllerContext } from '../../../../server/controllers/controller.js';

/** A controller that only hands its context to the test and runs until stopped. */
export class ProbeController implements Controller {
  private resolveContext!: (context: ControllerContext) => void;
  /** The context of its first run. */
  readonly context = new Promise<ControllerContext>((resolve) => (this.resolveContext = resolve));
  runs = 0;

  constructor(readonly name = 'probe') {}

  async run(context: ControllerContext, signal: AbortSignal): Promise<void> {
    this.runs++;
    this.resolveContext(context);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  }
}
