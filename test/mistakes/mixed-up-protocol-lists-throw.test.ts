import { defineComponent, defineMessage, defineProtocol, defineRequest, t } from 'tickwire';
import { describe, expect, it } from 'vitest';

// A plain-JavaScript game has no type checker to tell it which list a definition belongs in.
const Say = defineMessage('say', { text: t.string({ maxBytes: 50 }) });
const Rename = defineRequest('rename', { name: t.string({ maxBytes: 16 }) }, { ok: t.bool() });
const Dot = defineComponent('dot', { x: t.f32() });
const loosely = defineProtocol as (definition: Record<string, unknown>) => unknown;

describe('defineProtocol with definitions in the wrong list', () => {
  it('names a request listed under messages and where it belongs', () => {
    expect(() => loosely({ messages: [Say, Rename] })).toThrow(
      'defineProtocol: messages lists request rename (defineRequest); it takes only what defineMessage/defineInput returns',
    );
  });

  it('names a component listed under messages, and a message listed under components', () => {
    expect(() => loosely({ messages: [Dot] })).toThrow('messages lists component dot');
    expect(() => loosely({ components: [Say] })).toThrow('components lists message say (defineMessage)');
  });

  it('names a message listed under requests, and a missing entry', () => {
    expect(() => loosely({ requests: [Say] })).toThrow('requests lists message say (defineMessage)');
    expect(() => loosely({ messages: [Say, undefined] })).toThrow('messages lists undefined');
  });

  it('accepts each definition in its own list', () => {
    expect(() => defineProtocol({ messages: [Say], requests: [Rename], components: [Dot] })).not.toThrow();
  });
});
