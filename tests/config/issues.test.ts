/** Paths users can read and paste back, and hints for typos. */
import { appendKey, didYouMean, formatPath } from '../../src/config/issues';

describe('field paths', () => {
  it('formats indexes in brackets and plain keys with dots', () => {
    expect(formatPath(['backends', 1, 'routes', 0, 'fallback_to'])).toBe('backends[1].routes[0].fallback_to');
  });

  it('quotes keys that are not plain identifiers', () => {
    expect(formatPath(['mcpServers', 'my server', 'url'])).toBe('mcpServers["my server"].url');
    expect(appendKey('headers', 'X-Api-Key')).toBe('headers.X-Api-Key');
    expect(appendKey('', 0)).toBe('[0]');
  });
});

describe('did you mean', () => {
  it.each([
    ['comand', 'command'],
    ['namspace', 'namespace'],
    ['fallback', 'fallback_to'],
    ['Priority', 'priority'],
    ['healthcheck', 'health_check'],
    ['interval', 'interval_seconds'],
  ])('%s → %s', (typo, meant) => {
    expect(didYouMean(typo)).toBe(meant);
  });

  it('says nothing when no key is close', () => {
    expect(didYouMean('colour')).toBeUndefined();
  });
});
