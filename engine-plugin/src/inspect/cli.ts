import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Protocol } from '../schema/protocol.js';
import { inspect } from './inspector.js';

const USAGE = `Usage: tickwire inspect <ws://host:port/path> [options]

Connects like a client, completes the handshake and prints every frame as readable lines.

Options:
  --protocol <module>[#export]  the game's protocol (a module exporting it, default export name "protocol");
                                without it, the protocol is rebuilt from the server's own description
  --token <token>               send a token as ?token=
  --header "Name: value"        add an upgrade request header (repeatable), e.g. "Authorization: Bearer …"
  --subprotocol <name>          offer a subprotocol (repeatable), e.g. access_token.<token>
  --duration <seconds>          leave after this long
  --ticks <n>                   leave after n Tick frames
  --no-state                    print messages only, not entity state
  -h, --help                    show this text
`;

function isProtocol(value: unknown): value is Protocol {
  const p = value as Partial<Protocol> | null;
  return typeof p === 'object' && p !== null && typeof p.fingerprint === 'number' && Array.isArray(p.description);
}

async function loadProtocol(spec: string): Promise<Protocol> {
  const hash = spec.lastIndexOf('#');
  const path = hash > 0 ? spec.slice(0, hash) : spec;
  const name = hash > 0 ? spec.slice(hash + 1) : 'protocol';
  // A path on disk (relative to the working directory) or a package name.
  const specifier = existsSync(resolve(path)) ? pathToFileURL(resolve(path)).href : path;
  const module = await importModule(specifier, path);
  const found = module[name] ?? module.default;
  if (!isProtocol(found)) throw new Error(`${path} has no protocol export named ${name}`);
  return found;
}

/**
 * Import a protocol module. Plain Node cannot load TypeScript, so a `.ts` module is loaded through
 * tsx when the project has it, and otherwise refused with what to do instead of a bare
 * ERR_UNKNOWN_FILE_EXTENSION.
 */
async function importModule(specifier: string, path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  }
  const tsx = 'tsx/esm/api';
  let register: (() => unknown) | undefined;
  try {
    ({ register } = (await import(tsx)) as { register: () => unknown });
  } catch {
    throw new Error(
      `--protocol ${path} is TypeScript, which plain Node cannot load: install tsx in this project (npm install -D tsx; tickwire then loads it itself), or point --protocol at compiled JavaScript`,
    );
  }
  register();
  return (await import(specifier)) as Record<string, unknown>;
}

/** Run `tickwire <args>`; resolves to the process exit code. */
export async function main(args: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'inspect' || rest.includes('-h') || rest.includes('--help')) {
    out(USAGE);
    return command === 'inspect' || command === undefined || command === '-h' || command === '--help' ? 0 : 2;
  }
  let url: string | undefined;
  let protocolSpec: string | undefined;
  let token: string | undefined;
  let durationMs: number | undefined;
  let maxTicks: number | undefined;
  let state = true;
  const headers: Record<string, string> = {};
  const protocols: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = (): string => {
      const next = rest[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--protocol') protocolSpec = value();
    else if (arg === '--token') token = value();
    else if (arg === '--header') {
      const header = value();
      const colon = header.indexOf(':');
      if (colon <= 0) throw new Error(`--header wants "Name: value", got ${header}`);
      headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    } else if (arg === '--subprotocol') protocols.push(value());
    else if (arg === '--duration') durationMs = Number(value()) * 1000;
    else if (arg === '--ticks') maxTicks = Number(value());
    else if (arg === '--no-state') state = false;
    else if (!arg.startsWith('-') && url === undefined) url = arg;
    else throw new Error(`unknown option ${arg}`);
  }
  if (!url) {
    out(USAGE);
    return 2;
  }
  if (token !== undefined) url += `${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
  const protocol = protocolSpec === undefined ? undefined : await loadProtocol(protocolSpec);
  const result = await inspect({ url, protocol, headers, protocols, print: out, durationMs, maxTicks, state });
  return result.code === 1000 || result.code === 1001 || result.code === 4004 ? 0 : 1;
}
