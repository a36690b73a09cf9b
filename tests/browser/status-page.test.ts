import { chromium, type Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FLAKY } from '../helpers/config';
import { startHttpCli, tempFile } from '../helpers/cli';

/** Debian's Chromium (installed by .ci/run), driven by playwright-core: no browser download. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the /status page in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(() => browser?.close());

  it('shows a breaker open when its backend fails, then closed again when it recovers', async () => {
    const config = tempFile(
      'backends.yaml',
      `routing: { retry: { max_attempts: 1 } }
backends:
  - name: steady
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(FLAKY)}]
  - name: shaky
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(FLAKY)}]
    health_check: { interval_seconds: 0.2, timeout_seconds: 1 }
    circuit_breaker: { failure_threshold: 1, timeout_seconds: 2, half_open_attempts: 1 }
`,
    );
    const router = await startHttpCli(['--config', config]);
    const client = new Client({ name: 'browser-test', version: '1' });
    const page = await browser.newPage();
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(router.url)));
      await page.goto(router.url.replace('/mcp', '/status'));
      const circuit = page.locator('[data-backend="shaky"] [data-field="circuit"]');
      await circuit.filter({ hasText: 'CLOSED' }).waitFor({ timeout: 10_000 });
      await client.callTool({ name: 'shaky__fail_for', arguments: { ms: 60_000 } });
      await expect(client.callTool({ name: 'shaky__count', arguments: {} })).rejects.toThrow(/fails on purpose/);
      await circuit.filter({ hasText: 'OPEN' }).waitFor({ timeout: 10_000 });
      expect(await page.locator('[data-backend="shaky"] .err').textContent()).toContain('fails on purpose');
      expect(await page.locator('[data-backend="steady"] [data-field="circuit"]').textContent()).toBe('CLOSED');
      // Pings still answer: after the open period a probe is the half-open trial, and it closes the breaker.
      await circuit.filter({ hasText: /^CLOSED$/ }).waitFor({ timeout: 15_000 });
      expect(await page.locator('#routes').textContent()).toContain('shaky__count');
    } finally {
      await page.close();
      await client.close();
      router.child.kill('SIGTERM');
    }
    expect(await router.exit).toBe(0);
  });
});
