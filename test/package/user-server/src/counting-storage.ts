import { appendFileSync } from 'node:fs';
import { MemoryStorage, type KubeObject } from 'aggregated-apiserver/server';

/** A custom Storage: the in-memory store, with a line in a log file for every write it takes. */
export class CountingStorage extends MemoryStorage {
  constructor(
    private readonly log: string,
    historySize?: number,
  ) {
    super({ historySize });
  }

  override async create(key: string, object: KubeObject): Promise<KubeObject> {
    appendFileSync(this.log, `create ${key}\n`);
    return super.create(key, object);
  }
}
