import { CHAT_TOPIC, ChatLine, Say, Whisper } from '@tickwire/demo-shared';
import { type NetworkClient, RequestError } from 'tickwire';
import type { ChatPanel } from './chat-panel';
import type { OnlinePanel } from './online-panel';

/** What a chat line starting with this asks: whisper to the online player named next. */
const WHISPER_COMMAND = '/w ';

/**
 * The social side of the page, through tickwire messaging: the chat topic, whispers (direct
 * messages to a player's identity) and who is online (presence). On a cluster the server carries
 * all three to players on other nodes; the page does not know or care which node it is on.
 */
export class Lobby {
  constructor(
    private readonly net: NetworkClient,
    private readonly chat: ChatPanel,
    private readonly online: OnlinePanel,
  ) {}

  /** A new session (first connect, or one the server did not resume): subscribe and watch again. */
  joined(): void {
    this.online.clear();
    this.net.subscribe(CHAT_TOPIC).catch(() => {});
    this.net.watchPresence().catch(() => {});
  }

  /** Once a frame, after `receive`: show chat lines, whispers and presence changes. */
  update(): void {
    const { net } = this;
    // Notices from the server about players nearby come as room messages; players' lines as publications.
    for (const line of net.messages(ChatLine)) this.chat.add(line);
    for (const { data } of net.publications(ChatLine)) this.chat.add(data);
    this.online.apply(net.presence());
    for (const { from, data } of net.directMessages(Whisper)) this.chat.addWhisper('from', (from && this.online.nameOf(from)) || 'someone', data.text);
  }

  /** A line typed into the chat: `/w <name> <text>` whispers, anything else is said to everyone. */
  say(text: string): void {
    if (!text.startsWith(WHISPER_COMMAND)) {
      this.net.send(Say, { text });
      return;
    }
    const rest = text.slice(WHISPER_COMMAND.length).trim();
    const name = this.online.namePrefixOf(rest);
    const identity = name === undefined ? undefined : this.online.identityNamed(name);
    const message = name === undefined ? '' : rest.slice(name.length).trim();
    if (name === undefined || identity === undefined || message === '') {
      this.chat.add({ from: '', hue: 0, text: 'whisper to whom? type /w, a name from the online list, then your message', system: true });
      return;
    }
    this.net.direct(identity, Whisper, { text: message }).then(
      () => this.chat.addWhisper('to', name, message),
      (error: unknown) => {
        const why = error instanceof RequestError && error.code === 404 ? `${name} is offline` : `whisper to ${name} failed`;
        this.chat.add({ from: '', hue: 0, text: why, system: true });
      },
    );
  }
}
