/** The server as a library: run it from flags, or embed its pieces. */
export { runServer, type RunningApiServer, type RunOverrides } from './server-runner.js';
export { parseServerFlags, serverFlagSpecs, type ServerFlags } from './options/server-flags.js';
export { ApiServer, type ApiServerConfig } from './api-server.js';
export { servedResources } from './resources/index.js';
export type {
  ResourceDefinition,
  ResourceVersion,
  ResourceStrategy,
  TableColumn,
} from './resources/resource-definition.js';
export type { Storage, StorageEvent, ListOptions, ListResult } from '../api/storage.js';
export { StorageError } from '../api/storage.js';
export { createLogger, type Logger } from './util/logger.js';
