/**
 * A backend's `protocol:` says which MCP era the router speaks to it. Absent, the router probes (auto); a value
 * it does not know is refused with the file, the field's path and the values it takes.
 */
import { loadConfig } from '../../src/config';
import { refuse, writeConfig } from './config-files';

const withProtocol = (value?: string) =>
  `backends:\n  - name: a\n    command: node\n${value === undefined ? '' : `    protocol: ${JSON.stringify(value)}\n`}`;

describe('a backend’s protocol', () => {
  it('is auto when the file does not say', () => {
    const config = loadConfig(writeConfig('backends.yaml', withProtocol()), { env: {} });
    expect(config.backends[0]!.protocol).toBe('auto');
  });

  it.each(['auto', '2025-11-25', '2026-07-28'])('takes %s', (value) => {
    const config = loadConfig(writeConfig('backends.yaml', withProtocol(value)), { env: {} });
    expect(config.backends[0]!.protocol).toBe(value);
  });

  it('refuses a revision it does not know, naming the file, the field and the choices', () => {
    const refusal = refuse(withProtocol('2025-06-18'));
    expect(refusal.message).toContain(refusal.file);
    expect(refusal.message).toContain('backends[0].protocol');
    expect(refusal.message).toMatch(/auto.*2025-11-25.*2026-07-28/);
  });
});
