/** Deepest JSON nesting (objects and arrays) the JSON wire format accepts: far past any message schema, far short of the stack. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `text`'s arrays and objects nest no deeper than `max`. One pass over the characters
 * (skipping string contents), before `JSON.parse` builds anything: a nesting bomb is bad input, to
 * be refused with 1007, not a stack overflow further in.
 */
export function jsonDepthWithin(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return false;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return true;
}
