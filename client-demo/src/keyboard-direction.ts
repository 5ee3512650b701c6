import type { MoveDirection } from '@tickwire/demo-shared';
import * as Phaser from 'phaser';

type Key = Phaser.Input.Keyboard.Key;

/** WASD and the arrow keys, read as a direction with each axis -1, 0 or 1. */
export class KeyboardDirection {
  private readonly keys: Record<'w' | 'a' | 's' | 'd' | 'up' | 'left' | 'down' | 'right', Key>;

  constructor(keyboard: Phaser.Input.Keyboard.KeyboardPlugin) {
    const codes = Phaser.Input.Keyboard.KeyCodes;
    // No key capture: capturing would swallow W/A/S/D typed into the chat box.
    this.keys = keyboard.addKeys(
      { w: codes.W, a: codes.A, s: codes.S, d: codes.D, up: codes.UP, left: codes.LEFT, down: codes.DOWN, right: codes.RIGHT },
      false,
    ) as KeyboardDirection['keys'];
  }

  /** The direction held now. */
  read(): MoveDirection {
    const k = this.keys;
    const x = (k.d.isDown || k.right.isDown ? 1 : 0) - (k.a.isDown || k.left.isDown ? 1 : 0);
    const y = (k.s.isDown || k.down.isDown ? 1 : 0) - (k.w.isDown || k.up.isDown ? 1 : 0);
    return { x, y };
  }

  /** Forget held keys (the chat box took focus, so their key-ups may never arrive here). */
  release(): void {
    for (const key of Object.values(this.keys)) key.reset();
  }
}
