/**
 * A read of the backend's present (its current revision) shared by the callers that may share it.
 * A consistent read needs a revision read that started after the read itself arrived, so a caller
 * never joins a read already in flight (it may have left before a write the caller must see was
 * acknowledged): it joins the next one, which starts when the one in flight ends. Under load that
 * is two backend round trips at a time however many reads arrive, instead of one per read, with
 * the same guarantee each read had on its own.
 */
export class SharedFreshRead<T> {
  private inFlight: Promise<T> | undefined;
  private next: Promise<T> | undefined;

  constructor(private readonly read: () => Promise<T>) {}

  /** The result of a read that started no earlier than this call. */
  get(): Promise<T> {
    const running = this.inFlight;
    if (!running) return this.start();
    this.next ??= running.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  private startNext(): Promise<T> {
    this.next = undefined;
    return this.start();
  }

  private start(): Promise<T> {
    const read = this.read();
    this.inFlight = read;
    const done = (): void => {
      if (this.inFlight === read) this.inFlight = undefined;
    };
    read.then(done, done);
    return read;
  }
}
