import { jest } from '@jest/globals';
import {
  recordedChangeOf,
  toStorageEvent,
  type RecordedEvent,
} from '../../../server/storage/object-encoding.js';

const recorded: RecordedEvent = {
  type: 'MODIFIED',
  key: '/things/default/a',
  revision: 7,
  objectJson: '{"metadata":{"name":"a","resourceVersion":"7"},"spec":{"n":2}}',
  previousJson: '{"metadata":{"name":"a","resourceVersion":"6"},"spec":{"n":1}}',
};

describe('toStorageEvent', () => {
  test('decodes the objects when they are first read, once each, and never if they are not', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const event = toStorageEvent(recorded);
      expect(event.resourceVersion).toBe('7');
      expect(parse).not.toHaveBeenCalled();
      expect(event.object.spec).toEqual({ n: 2 });
      expect(event.object).toBe(event.object);
      expect(parse).toHaveBeenCalledTimes(1);
      expect(event.previous?.spec).toEqual({ n: 1 });
      expect(parse).toHaveBeenCalledTimes(2);
    } finally {
      parse.mockRestore();
    }
  });

  test('gives each caller its own objects, and the recorded change they came from', () => {
    const first = toStorageEvent(recorded);
    const second = toStorageEvent(recorded);
    first.object.spec = { n: 99 };
    expect(second.object.spec).toEqual({ n: 2 });
    expect(recordedChangeOf(first)).toBe(recorded);
    expect(recordedChangeOf({ ...first, object: first.object })).toBeUndefined();
    expect(toStorageEvent({ ...recorded, type: 'ADDED', previousJson: undefined }).previous).toBeUndefined();
  });
});
