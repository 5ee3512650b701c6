import * as Phaser from 'phaser';
import type { LaunchOptions } from './launch-options';

/** Renderer strings of software WebGL implementations (no GPU: every pixel drawn by the CPU). */
const SOFTWARE_GL = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/**
 * The Phaser renderer for this page. `auto` takes WebGL only when it runs on a GPU: software WebGL
 * (SwiftShader in a headless or GPU-less browser, llvmpipe on Linux without drivers) renders this
 * scene at an uneven 25–40 fps where Canvas holds 60, and an even frame rate is what makes motion
 * look smooth.
 */
export function chooseRenderer(choice: LaunchOptions['renderer']): number {
  if (choice === 'canvas') return Phaser.CANVAS;
  if (choice === 'webgl') return Phaser.WEBGL;
  const gl = document.createElement('canvas').getContext('webgl');
  if (!gl) return Phaser.CANVAS;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return SOFTWARE_GL.test(renderer) ? Phaser.CANVAS : Phaser.WEBGL;
}
