import { runApiServer } from 'aggregated-apiserver/server';
import { gizmo } from './gizmo.js';

await runApiServer({ resources: [gizmo] });
