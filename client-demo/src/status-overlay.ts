import type { Notice } from './connection-notice';

/** The centred box that tells the player what is wrong with the connection. */
export class StatusOverlay {
  private shown: Notice | undefined;

  constructor(
    private readonly element: HTMLElement,
    private readonly title: HTMLElement,
    private readonly detail: HTMLElement,
  ) {}

  show(notice: Notice | undefined): void {
    if (notice === this.shown) return;
    this.shown = notice;
    this.element.hidden = notice === undefined;
    this.title.textContent = notice?.title ?? '';
    this.detail.textContent = notice?.detail ?? '';
  }
}
