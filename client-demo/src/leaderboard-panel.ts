import type { Leaderboard } from '@tickwire/demo-shared';
import type { MessageData } from 'tickwire';

/** The top players, top right, the local player's line in bold. */
export class LeaderboardPanel {
  constructor(
    private readonly element: HTMLElement,
    private readonly ownName: string,
  ) {
    this.show({ entries: [] });
  }

  show(board: MessageData<typeof Leaderboard>): void {
    const title = document.createElement('h3');
    title.textContent = 'leaderboard';
    const list = document.createElement('ol');
    board.entries.forEach((entry, rank) => {
      const item = document.createElement('li');
      if (entry.name === this.ownName) item.className = 'me';
      const name = document.createElement('span');
      name.textContent = `${rank + 1}. ${entry.name}`;
      name.style.color = `hsl(${entry.hue} 70% 65%)`;
      const score = document.createElement('span');
      score.textContent = String(entry.score);
      item.append(name, score);
      list.append(item);
    });
    if (board.entries.length === 0) {
      const empty = document.createElement('li');
      empty.textContent = 'no players yet';
      list.append(empty);
    }
    this.element.replaceChildren(title, list);
  }
}
