import { type Component, cloneComponent, componentInfo, describeComponent } from './component.js';
import { type MessageType, describeMessage } from './message.js';
import type { RequestType } from './request.js';
import { SYSTEM_MESSAGES } from './system-messages.js';

/** What both sides register: the protocol is equal when its fingerprint is equal. */
export interface ProtocolDefinition {
  readonly messages?: readonly MessageType[];
  readonly components?: readonly Component[];
  /** Request types (`defineRequest`): each registers its request and its `.reply` message type. */
  readonly requests?: readonly RequestType[];
}

/** Registered messages and components with agreed numeric ids and a fingerprint. */
export interface Protocol {
  /** Message types by id: system messages first, then the game's sorted by name. */
  readonly messages: readonly MessageType[];
  /** Components by id, sorted by name. */
  readonly components: readonly Component[];
  /** FNV-1a 32-bit hash of {@link Protocol.description}. */
  readonly fingerprint: number;
  /** One line per message and component: what the fingerprint is computed over. */
  readonly description: readonly string[];
  /** The id of a registered message type; throws for an unregistered one. */
  messageId(type: MessageType): number;
  /** The id of a registered component, or -1. */
  componentId(component: Component): number;
}

/** The most components one protocol may replicate: the per-entity component mask is 32 bits. */
export const MAX_COMPONENTS = 32;

/** FNV-1a over UTF-16 code units, as a 32-bit unsigned integer. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** What a definition list holds, as a plain-JavaScript caller may have mixed them up. */
function kindOf(entry: unknown): string {
  if (typeof entry !== 'object' || entry === null) return String(entry);
  if (componentInfo in entry) return `component ${(entry as Component)[componentInfo].name}`;
  const named = entry as { name?: unknown; requestShape?: unknown; shape?: unknown };
  if ('requestShape' in named) return `request ${String(named.name)} (defineRequest)`;
  if ('shape' in named) return `message ${String(named.name)} (defineMessage)`;
  return 'an object that no define* function made';
}

// TypeScript catches a request listed under messages; plain JavaScript would otherwise fail deep
// inside the description with "Cannot convert undefined or null to object".
function checkEntries(definition: ProtocolDefinition): void {
  const lists = [
    ['messages', 'message', 'defineMessage/defineInput'],
    ['requests', 'request', 'defineRequest'],
    ['components', 'component', 'defineComponent'],
  ] as const;
  for (const [list, kind, maker] of lists) {
    const entries: readonly unknown[] = definition[list] ?? [];
    if (!Array.isArray(entries)) throw new TypeError(`defineProtocol: ${list} must be an array`);
    for (const entry of entries) {
      if (kindOf(entry).startsWith(`${kind} `)) continue;
      throw new TypeError(`defineProtocol: ${list} lists ${kindOf(entry)}; it takes only what ${maker} returns`);
    }
  }
}

function byName<T>(name: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);
}

/**
 * Register every message type and component both sides use. Numeric ids come from sorted names,
 * so both sides agree on them exactly when their fingerprints agree — which the handshake checks.
 */
export function defineProtocol(definition: ProtocolDefinition): Protocol {
  checkEntries(definition);
  const requestHalves = (definition.requests ?? []).flatMap((r) => [r.request as MessageType, r.reply as MessageType]);
  const own = [...(definition.messages ?? []), ...requestHalves].sort(byName((m) => m.name));
  const components = [...(definition.components ?? [])].sort(byName((c) => c[componentInfo].name));
  const seen = new Set<string>();
  for (const m of own) {
    if (m.name.startsWith('tickwire.')) throw new TypeError(`message name ${m.name}: the tickwire. prefix is reserved`);
    if (seen.has(`m:${m.name}`)) throw new TypeError(`two message types are named ${m.name}`);
    seen.add(`m:${m.name}`);
  }
  for (const c of components) {
    const name = c[componentInfo].name;
    if (seen.has(`c:${name}`)) throw new TypeError(`two components are named ${name}`);
    seen.add(`c:${name}`);
  }
  if (components.length > MAX_COMPONENTS)
    throw new TypeError(`${components.length} components registered; the most is ${MAX_COMPONENTS}`);
  const messages: MessageType[] = [...SYSTEM_MESSAGES, ...own];
  const description = [...messages.map((m) => `message ${describeMessage(m)}`), ...components.map((c) => `component ${describeComponent(c)}`)];
  const messageIds = new Map<MessageType, number>(messages.map((m, i) => [m, i]));
  const componentIds = new Map<Component, number>(components.map((c, i) => [c, i]));
  return {
    messages,
    components,
    description,
    fingerprint: fnv1a(description.join('\n')),
    messageId(type) {
      const id = messageIds.get(type);
      if (id === undefined) throw new TypeError(`message type ${type.name} is not registered in this protocol`);
      return id;
    },
    componentId: (component) => componentIds.get(component) ?? -1,
  };
}

/** A protocol with its own component stores, and the way from an original component to its copy. */
export interface ClonedProtocol {
  readonly protocol: Protocol;
  /** The copy of `original` in the cloned protocol. */
  component<C extends Component>(original: C): C;
}

/**
 * The same protocol (same names, ids and fingerprint) over fresh component stores, for running a
 * server and clients in one process: each world then reads and writes its own typed arrays.
 */
export function cloneProtocol(protocol: Protocol): ClonedProtocol {
  const copies = new Map<Component, Component>(protocol.components.map((c) => [c, cloneComponent(c)]));
  const cloned = defineProtocol({ messages: protocol.messages.slice(SYSTEM_MESSAGES.length), components: [...copies.values()] });
  return {
    protocol: cloned,
    component<C extends Component>(original: C): C {
      const copy = copies.get(original);
      if (!copy) throw new TypeError(`component ${original[componentInfo].name} is not in this protocol`);
      return copy as C;
    },
  };
}

/** Explain how two protocol descriptions differ, for the 4006 error a developer reads. */
export function describeMismatch(local: readonly string[], remote: readonly string[]): string {
  const mine = new Set(local);
  const theirs = new Set(remote);
  const onlyLocal = local.filter((line) => !theirs.has(line));
  const onlyRemote = remote.filter((line) => !mine.has(line));
  const parts: string[] = [];
  if (onlyRemote.length) parts.push(`only on the server: ${onlyRemote.join(' | ')}`);
  if (onlyLocal.length) parts.push(`only on the client: ${onlyLocal.join(' | ')}`);
  return parts.length ? parts.join('; ') : 'same definitions in a different order or version';
}
