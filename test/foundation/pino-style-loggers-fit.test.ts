import { describe, expect, it } from 'vitest';
import { CloseCode, type LogFields, closeCodeName, fieldsFirstLogger } from '../../engine-plugin/src/index';

describe('logging and close code names', () => {
  it('a fields-first (pino-style) logger receives both the fields and the message', () => {
    const lines: Array<[LogFields, string]> = [];
    const sink = (fields: LogFields, message: string) => lines.push([fields, message]);
    const logger = fieldsFirstLogger({ debug: sink, info: sink, warn: sink, error: sink });
    logger.info('connected', { connection: 7 });
    logger.warn('no fields');
    expect(lines).toEqual([
      [{ connection: 7 }, 'connected'],
      [{}, 'no fields'],
    ]);
  });

  it('1006 has a name, so logs and metrics can label dropped connections', () => {
    expect(CloseCode.AbnormalClosure).toBe(1006);
    expect(closeCodeName(1006)).toBe('AbnormalClosure');
  });
});
