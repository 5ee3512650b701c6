import type { PresenceEvent } from 'tickwire';

/** Names listed at most; the count still says how many are online. */
const LISTED = 12;

/**
 * Who is online, on any node of the server (tickwire presence), below the leaderboard. Each
 * player's name comes from the presence metadata their server set when they joined; a click on a
 * name starts a whisper to them.
 */
export class OnlinePanel {
  private readonly names = new Map<string, string>();
  private dirty = true;

  constructor(
    private readonly element: HTMLElement,
    private readonly onPick: (name: string) => void,
  ) {}

  /** Apply this frame's presence events (a snapshot of everyone online comes first after a watch). */
  apply(events: readonly PresenceEvent[]): void {
    for (const { identity, status, metadata } of events) {
      // Someone connected who has not joined yet has no name: not listed, not whisperable.
      if (status === 'online' && metadata?.name) this.names.set(identity, metadata.name);
      else this.names.delete(identity);
      this.dirty = true;
    }
    if (this.dirty) this.render();
  }

  /** Forget everyone (a fresh session watches again and gets a new snapshot). */
  clear(): void {
    this.names.clear();
    this.dirty = true;
  }

  /** The name an identity plays under, if it is online and named. */
  nameOf(identity: string): string | undefined {
    return this.names.get(identity);
  }

  /** Names of everyone online, sorted. */
  online(): string[] {
    return [...this.names.values()].sort((a, b) => a.localeCompare(b));
  }

  /** The identity playing under `name` (names are not unique: the first found). */
  identityNamed(name: string): string | undefined {
    for (const [identity, named] of this.names) if (named === name) return identity;
    return undefined;
  }

  /** The longest online name `text` starts with, followed by a space or the end. */
  namePrefixOf(text: string): string | undefined {
    let best: string | undefined;
    for (const name of this.names.values())
      if ((text === name || text.startsWith(`${name} `)) && name.length > (best?.length ?? 0)) best = name;
    return best;
  }

  private render(): void {
    this.dirty = false;
    const title = document.createElement('h3');
    const names = this.online();
    title.textContent = `online · ${names.length}`;
    const list = document.createElement('ul');
    for (const name of names.slice(0, LISTED)) {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = name;
      button.title = `whisper to ${name}`;
      button.addEventListener('click', () => this.onPick(name));
      item.append(button);
      list.append(item);
    }
    if (names.length > LISTED) {
      const more = document.createElement('li');
      more.textContent = `and ${names.length - LISTED} more`;
      list.append(more);
    }
    this.element.replaceChildren(title, list);
  }
}
