// The app's session cancels every download before it starts.
import { describe, expect, it } from 'vitest';
import { refuseDownloads } from '../../../electron/downloads.js';

describe('refuseDownloads', () => {
  it('cancels a download the page starts', () => {
    const handlers = new Map<string, (e: { preventDefault(): void }) => void>();
    refuseDownloads({ on: ((event: string, h: never) => handlers.set(event, h)) as never });
    let prevented = false;
    handlers.get('will-download')!({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });
});
