import * as k8s from '@kubernetes/client-node';
import * as kplus from 'cdk8s-plus-27';
import * as pulumi from '@pulumi/pulumi';
import Database from 'better-sqlite3';
import forge from 'node-forge';

test('imports', () => {
  expect(typeof k8s.KubeConfig).toBe('function');
  expect(typeof kplus.Deployment).toBe('function');
  expect(typeof pulumi.ComponentResource).toBe('function');
  const db = new Database(':memory:');
  expect(db.prepare('select 1 as x').get()).toEqual({ x: 1 });
  expect(typeof forge.pki.createCertificate).toBe('function');
});
