import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseCommandLine } from '../../server/src/index';

describe('demo server options', () => {
  it('uses defaults when nothing is given', () => {
    expect(parseCommandLine([], {})).toEqual({ help: false, config: DEFAULT_CONFIG });
  });

  it('takes flags over environment variables over defaults', () => {
    const parsed = parseCommandLine(['--port', '9000', '--bots=3'], { PORT: '7000', TICK_RATE: '30', BOTS: '400', MAX_PLAYERS: '5' });
    expect(parsed).toEqual({ help: false, config: { ...DEFAULT_CONFIG, port: 9000, tickRate: 30, bots: 3, maxPlayers: 5 } });
  });

  it('refuses unknown flags and out-of-range values with a message naming the option', () => {
    expect(() => parseCommandLine(['--prot', '1'], {})).toThrow(/--prot/);
    expect(() => parseCommandLine(['--tick-rate', '0'], {})).toThrow(/tick rate must be a whole number from 1 to 120, got "0"/);
    expect(() => parseCommandLine([], { PORT: 'eighty' })).toThrow(/port/);
  });

  it('answers --help with the usage text', () => {
    expect(parseCommandLine(['-h'], {})).toEqual({ help: true });
  });

  it('takes --cors-origins (or CORS_ORIGINS) as a comma-separated list of origins', () => {
    const parsed = parseCommandLine(['--cors-origins', 'http://localhost:8080, http://127.0.0.1:8081'], {});
    expect(parsed.help === false && parsed.config.corsOrigins).toEqual(['http://localhost:8080', 'http://127.0.0.1:8081']);
    const fromEnv = parseCommandLine([], { CORS_ORIGINS: 'https://game.example' });
    expect(fromEnv.help === false && fromEnv.config.corsOrigins).toEqual(['https://game.example']);
    expect(() => parseCommandLine(['--cors-origins', 'localhost:8080'], {})).toThrow(/cors origins/);
  });
});
