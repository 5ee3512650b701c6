/**
 * A node's view of the others' topic interest answers "which nodes, how many subscribers" from
 * what it heard last — also for a topic it was asked about before (the answer is remembered per
 * topic between interest changes, since a busy tick asks about the same topics hundreds of times).
 */
import { expect, it } from 'vitest';
import { ClusterView } from '../../engine-plugin/src/cluster/cluster-view';

const asObject = (answer: ReadonlyMap<string, number>) => Object.fromEntries(answer);

it('every interest change shows in the next answer for a topic asked before', () => {
  const view = new ClusterView();
  expect(asObject(view.subscribersOf('chat.eu'))).toEqual({});
  view.interest('a', 'chat.*', 2);
  expect(asObject(view.subscribersOf('chat.eu'))).toEqual({ a: 2 });
  view.interest('b', 'chat.eu', 1);
  view.interest('a', '**', 3);
  expect(asObject(view.subscribersOf('chat.eu'))).toEqual({ a: 5, b: 1 });
  expect(asObject(view.subscribersOf('news'))).toEqual({ a: 3 });
  view.interest('a', 'chat.*', 0);
  expect(asObject(view.subscribersOf('chat.eu'))).toEqual({ a: 3, b: 1 });
  view.forget('a');
  expect(asObject(view.subscribersOf('chat.eu'))).toEqual({ b: 1 });
  expect(asObject(view.subscribersOf('news'))).toEqual({});
});

it('stays right past the number of topics it remembers', () => {
  const view = new ClusterView();
  view.interest('a', 'room.*', 1);
  for (let i = 0; i < 10_000; i++) expect(view.subscribersOf(`room.${i}`).get('a')).toBe(1);
  view.interest('b', 'room.7', 4);
  expect(asObject(view.subscribersOf('room.7'))).toEqual({ a: 1, b: 4 });
  expect(asObject(view.subscribersOf('room.9999'))).toEqual({ a: 1 });
});
