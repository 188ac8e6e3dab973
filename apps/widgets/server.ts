#!/usr/bin/env node
/** The Widget API's own server: every generic apiserver flag, delegated auth, its JSON-file storage. */
import { runApiServer } from '../../server/index.js';
import { widget } from './widget.js';

await runApiServer({ resources: [widget] });
