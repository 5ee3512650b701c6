import type { ChatLine } from '@tickwire/demo-shared';
import type { MessageData } from 'tickwire';

/** Lines kept on screen; older ones scroll away. */
const VISIBLE_LINES = 8;

/**
 * The chat: recent lines bottom-left, and an input that opens with Enter, sends with Enter and
 * closes with Escape. While it is open, the game ignores movement keys.
 */
export class ChatPanel {
  constructor(
    private readonly log: HTMLOListElement,
    private readonly input: HTMLInputElement,
    private readonly hint: HTMLElement,
    send: (text: string) => void,
    onOpen: () => void,
  ) {
    window.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || this.isOpen) return;
      event.preventDefault();
      this.setOpen(true);
      onOpen();
    });
    input.addEventListener('keydown', (event) => {
      // Keys typed here are not game input.
      event.stopPropagation();
      if (event.key === 'Enter') {
        const text = input.value.trim();
        if (text) send(text);
        this.setOpen(false);
      } else if (event.key === 'Escape') this.setOpen(false);
    });
    input.addEventListener('blur', () => this.setOpen(false));
  }

  get isOpen(): boolean {
    return !this.input.hidden;
  }

  /** Open the input with `text` typed already (a click on an online player's name starts a whisper). */
  openWith(text: string): void {
    this.setOpen(true);
    this.input.value = text;
  }

  private setOpen(open: boolean): void {
    this.input.hidden = !open;
    this.hint.hidden = open;
    if (open) this.input.focus();
    else {
      this.input.value = '';
      this.input.blur();
    }
  }

  /** A whisper, sent (`to`) or received (`from`), in its own colour. */
  addWhisper(direction: 'from' | 'to', name: string, text: string): void {
    const item = document.createElement('li');
    item.className = 'whisper';
    const who = document.createElement('strong');
    who.textContent = direction === 'from' ? `${name} whispers: ` : `to ${name}: `;
    item.append(who, document.createTextNode(text));
    this.append(item);
  }

  add(line: MessageData<typeof ChatLine>): void {
    const item = document.createElement('li');
    if (line.system) {
      item.className = 'system';
      item.textContent = line.text;
    } else {
      const from = document.createElement('strong');
      from.textContent = `${line.from}: `;
      from.style.color = `hsl(${line.hue} 70% 65%)`;
      item.append(from, document.createTextNode(line.text));
    }
    this.append(item);
  }

  /** Every line shown now, as text (for the test hook). */
  lines(): string[] {
    return [...this.log.children].map((item) => item.textContent ?? '');
  }

  private append(item: HTMLLIElement): void {
    this.log.append(item);
    while (this.log.children.length > VISIBLE_LINES) this.log.firstElementChild!.remove();
  }
}
