import Transport from 'winston-transport';
import winston from 'winston';
import { wireRouter } from '../../src/wiring';
import { eventually, flaky, loaded } from '../helpers/config';

/** A winston transport that keeps every line, to read the story the logs tell. */
class Capture extends Transport {
  readonly lines: { level: string; message: string; backend?: string }[] = [];
  override log(info: { level: string; message: string; backend?: string }, next: () => void): void {
    this.lines.push({ level: info.level, message: info.message, backend: info.backend });
    next();
  }
}

describe('the logs tell the story of a failure and its recovery', () => {
  it('one line per state change: connected, lost, reconnecting, connected again; circuit opened, half-open, closed', async () => {
    const capture = new Capture();
    const logger = winston.createLogger({ level: 'info', transports: [capture] });
    const router = wireRouter({
      config: loaded(
        [
          flaky('story', {
            healthCheck: { enabled: true, intervalSeconds: 0.05, timeoutSeconds: 1 },
            circuitBreaker: { failureThreshold: 1, timeoutSeconds: 0.1, halfOpenAttempts: 1 },
          }),
        ],
        { maxRetries: 0 },
      ),
      logger,
    });
    router.start();
    try {
      await router.whenSettled();
      const dispatch = (name: string) =>
        router.dispatcher.forward(
          { method: 'tools/call', name },
          {
            paramsFor: () => ({ name: name.replace('story__', ''), arguments: { code: -32603 } }),
            retrySafe: () => false,
          },
        );
      await expect(dispatch('story__fail')).rejects.toThrow();
      await eventually(
        () => capture.lines.map((l) => l.message).join('\n'),
        (s) => s.includes('circuit closed'),
      );
      await expect(dispatch('story__crash')).rejects.toThrow();
      await eventually(
        () => capture.lines.filter((l) => l.message === 'connected').length,
        (n) => n >= 2,
      );
      const story = capture.lines.filter((l) => l.backend === 'story').map((l) => l.message.replace(/\d+ ms/g, 'N ms'));
      expect(story[0]).toBe('connected');
      expect(story).toContainEqual(
        expect.stringMatching(
          /^circuit opened: 1 consecutive failures \(last: .*fails on purpose\); next try in N ms$/,
        ),
      );
      expect(story).toContainEqual('circuit half-open: admitting 1 trial request(s)');
      expect(story).toContainEqual('circuit closed: trial requests succeeded');
      expect(story).toContainEqual(expect.stringMatching(/^connection lost: .*; reconnecting in N ms$/));
      const opened = story.findIndex((l) => l.startsWith('circuit opened'));
      const closed = story.indexOf('circuit closed: trial requests succeeded');
      const lost = story.findIndex((l) => l.startsWith('connection lost'));
      expect(opened).toBeLessThan(closed);
      expect(closed).toBeLessThan(lost);
      expect(story.lastIndexOf('connected')).toBeGreaterThan(lost);
    } finally {
      await router.stop();
    }
  });
});
