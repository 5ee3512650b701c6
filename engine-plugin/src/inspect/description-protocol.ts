import { type Component, componentInfo, defineComponent, describeComponent } from '../schema/component.js';
import type { ComponentField, Interpolation, NumericKind, Quantization } from '../schema/fields.js';
import type { MessageType } from '../schema/message.js';
import type { Protocol } from '../schema/protocol.js';

const NUMERIC = new Set<string>(['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64']);

/** One component field from its canonical description (`f32(min,max,q=step@offset/maxQ,linear)`, `bool`, `string(24)`). */
function parseField(text: string): ComponentField {
  if (text === 'bool') return { kind: 'bool', optional: false };
  const string = /^string\((\d+)\)$/.exec(text);
  if (string) return { kind: 'string', maxBytes: Number(string[1]), optional: false };
  const number = /^(\w+)\(([^,]+),([^,]+)(?:,q=([^@]+)@([^/]+)\/([^,]*))?,(none|linear|angle)\)$/.exec(text);
  if (!number || !NUMERIC.has(number[1]!)) throw new SyntaxError(`unreadable field description ${text}`);
  const quantize: Quantization | undefined =
    number[4] === undefined ? undefined : { step: Number(number[4]), offset: Number(number[5]), maxQ: number[6] === '' ? undefined : Number(number[6]) };
  return {
    kind: number[1] as NumericKind,
    min: Number(number[2]),
    max: Number(number[3]),
    quantize,
    interpolate: number[7] as Interpolation,
    optional: false,
  };
}

/** A component rebuilt from its description line (without the `component ` prefix); throws when unreadable. */
export function componentFromDescription(text: string): Component {
  const open = text.indexOf('{');
  if (open <= 0 || !text.endsWith('}')) throw new SyntaxError(`unreadable component description ${text}`);
  const name = text.slice(0, open);
  const body = text.slice(open + 1, -1);
  const shape: Record<string, ComponentField> = {};
  for (const part of body === '' ? [] : body.split(';')) {
    const colon = part.indexOf(':');
    shape[part.slice(0, colon)] = parseField(part.slice(colon + 1));
  }
  const component = defineComponent(name, shape);
  // The rebuilt component must describe itself exactly as the server's did, or its layout may differ.
  if (describeComponent(component) !== text) throw new SyntaxError(`component ${name} did not round-trip its description`);
  return component;
}

/**
 * A protocol rebuilt from the description lines a server sends in its Mismatch frame: message
 * names and directions by id (payloads are then decoded as plain MessagePack, without a schema)
 * and components with their exact field layouts, so state sections decode. Ids are positions in
 * the description, which lists messages and components in id order.
 */
export function protocolFromDescription(description: readonly string[], fingerprint: number): Protocol {
  const messages: MessageType[] = [];
  const components: Component[] = [];
  for (const line of description) {
    if (line.startsWith('message ')) {
      const match = /^message ([^(]+)\((toServer|toClient|both)(,input)?\)/.exec(line);
      if (!match) throw new SyntaxError(`unreadable message description ${line}`);
      messages.push({ name: match[1]!, shape: {}, direction: match[2] as MessageType['direction'], droppable: false, input: match[3] !== undefined });
    } else if (line.startsWith('component ')) components.push(componentFromDescription(line.slice('component '.length)));
  }
  const messageIds = new Map(messages.map((m, i) => [m, i]));
  const componentIds = new Map(components.map((c, i) => [c, i]));
  return {
    messages,
    components,
    fingerprint,
    description,
    messageId(type) {
      const id = messageIds.get(type);
      if (id === undefined) throw new TypeError(`message type ${type.name} is not in this protocol`);
      return id;
    },
    componentId: (component) => componentIds.get(component) ?? -1,
  };
}

/** The name of a component (for printing). */
export function componentName(component: Component): string {
  return component[componentInfo].name;
}
