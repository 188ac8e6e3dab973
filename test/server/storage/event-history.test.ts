import { EventHistory } from '../../../server/storage/event-history.js';
import type { RecordedEvent } from '../../../server/storage/object-encoding.js';

function event(revision: number, size = 10, key = `/g/r/ns/o${revision}`): RecordedEvent {
  return {
    type: 'MODIFIED',
    key,
    revision,
    objectJson: 'x'.repeat(size / 2),
    previousJson: 'y'.repeat(size / 2),
  };
}

describe('EventHistory', () => {
  it('keeps the newest events up to its capacity and reports the newest evicted revision', () => {
    const history = new EventHistory(3);
    for (let revision = 2; revision <= 7; revision++) history.append(event(revision));
    expect(history.eventsAfter(0, '/g/').map((e) => e.revision)).toEqual([5, 6, 7]);
    expect(history.compactedRevision).toBe(4);
  });

  it('keeps at most its bytes of events, counting the object before and after each change', () => {
    const history = new EventHistory(1000, 100);
    for (let revision = 2; revision <= 30; revision++) history.append(event(revision, 30));
    expect(history.size).toBe(3);
    expect(history.eventsAfter(0, '/g/').map((e) => e.revision)).toEqual([28, 29, 30]);
    expect(history.compactedRevision).toBe(27);
  });

  it('keeps the newest event even when it alone is larger than its bytes', () => {
    const history = new EventHistory(1000, 100);
    history.append(event(2, 10));
    history.append(event(3, 500));
    expect(history.eventsAfter(0, '/g/').map((e) => e.revision)).toEqual([3]);
  });

  it('finds the events after a revision under a prefix across many evictions', () => {
    const history = new EventHistory(2000);
    for (let revision = 2; revision <= 10_000; revision++)
      history.append(event(revision, 10, revision % 2 ? '/a/x' : '/b/x'));
    expect(history.eventsAfter(9990, '/a/').map((e) => e.revision)).toEqual([9991, 9993, 9995, 9997, 9999]);
    expect(history.compactedRevision).toBe(8000);
  });
});
