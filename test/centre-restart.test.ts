import { afterAll, describe, expect, it } from 'vitest';
import { Centre } from '../server/src/centre.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';

describe('first start and restart of the centre', () => {
  const tmp = tempDir('dlb-restart-');
  afterAll(() => tmp.cleanup());

  it('makes its key and admin once, keeps them, and forgets who was online', async () => {
    const first = await startInProcessCentre(tmp.dir);
    const kid = first.centre.keys.kid;
    const { terminal } = await first.api.call<{ terminal: { id: string } }>('POST', '/api/terminals', {
      villageCode: '450323202200',
    });
    first.centre.services.events.ingestState(
      terminal.id,
      Buffer.from(JSON.stringify({ status: 1, online: true, at: 1 })),
    );
    expect(first.centre.services.terminals.require(terminal.id).online).toBe(true);
    const config = first.centre.config;
    await first.centre.stop();

    const announced: string[] = [];
    const again = new Centre(config, { log: () => {}, announce: (m) => announced.push(m) });
    await again.start();
    try {
      expect(again.keys.kid).toBe(kid); // terminals keep trusting the same pinned key
      expect(again.services.users.count()).toBe(1);
      expect(announced).toEqual([]); // no second admin, no password printed again
      const t = again.services.terminals.require(terminal.id);
      expect(t.online).toBe(false);
      expect(t.status).toBe(2);
      expect(again.services.areas.count()).toBe(162); // the sample county is not imported twice
    } finally {
      await again.stop();
    }
  });
});
