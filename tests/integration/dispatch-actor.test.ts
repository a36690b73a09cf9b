import { silentLogger } from '../../src/logging/logger';
import { wireRouter } from '../../src/wiring';
import { flaky, loaded } from '../helpers/config';

describe('the dispatch actor on a real router', () => {
  it('routes calls while the router runs, stops cleanly with it, and refuses to route after (no stale decision)', async () => {
    const router = wireRouter({ config: loaded([flaky('one')]), logger: silentLogger() });
    router.start();
    await router.whenSettled();
    const dispatch = router.supervisor.getSnapshot().context.dispatch;
    const call = () =>
      router.dispatcher.forward(
        { method: 'tools/call', name: 'one__echo' },
        { paramsFor: () => ({ name: 'echo', arguments: { text: 'hi' } }), retrySafe: () => false },
      );
    await expect(call()).resolves.toMatchObject({ content: [{ type: 'text' }] });
    expect(dispatch.getSnapshot().context.last).toMatchObject({ backend: 'one', strategy: 'capability' });
    const first = router.dispatcher.route('r-late', { method: 'tools/call', name: 'one__echo' }, [], 0);
    expect(first.backend).toBe('one');

    await router.stop();
    // The stop reached the dispatch actor as an event of its own: it must not end in error.
    expect(dispatch.getSnapshot().status).toBe('active');
    // The same request's next attempt, after the stop: the actor decides nothing, and its last decision (this
    // very request's first attempt) must not be handed back as if it were new.
    expect(() => router.dispatcher.route('r-late', { method: 'tools/call', name: 'one__echo' }, ['one'], 1)).toThrow(
      /no routing decision/,
    );
  });
});
