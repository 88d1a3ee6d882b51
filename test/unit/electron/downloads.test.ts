// The app's session cancels every download before it starts, but the app page's own pcap,
// which goes through the save dialog.
import { describe, expect, it } from 'vitest';
import { isAppPcap, refuseDownloads } from '../../../electron/downloads.js';

type Item = { getURL(): string; getFilename(): string; setSaveDialogOptions(o: unknown): void };

function download(url: string, filename: string): { prevented: boolean; dialog: unknown } {
  const handlers = new Map<string, (e: { preventDefault(): void }, item?: Item) => void>();
  refuseDownloads({ on: ((event: string, h: never) => handlers.set(event, h)) as never });
  const r = { prevented: false, dialog: undefined as unknown };
  handlers.get('will-download')!(
    { preventDefault: () => (r.prevented = true) },
    {
      getURL: () => url,
      getFilename: () => filename,
      setSaveDialogOptions: (o) => (r.dialog = o),
    },
  );
  return r;
}

describe('refuseDownloads', () => {
  it('cancels a download the page starts', () => {
    expect(download('https://example.com/x.exe', 'x.exe').prevented).toBe(true);
    expect(download('blob:https://evil.example/1', 'a.pcap').prevented).toBe(true);
    expect(download('blob:app://egress-lab/1', 'run.sh').prevented).toBe(true);
    expect(download('app://egress-lab/a.pcap', 'a.pcap').prevented).toBe(true);
  });

  it("lets the app page's pcap through the save dialog", () => {
    const r = download('blob:app://egress-lab/6f1c', 'demo-node-1-any.pcap');
    expect(r.prevented).toBe(false);
    expect(r.dialog).toMatchObject({ defaultPath: 'demo-node-1-any.pcap' });
    expect(isAppPcap('blob:app://egress-lab/6f1c', '../x.pcap')).toBe(false);
  });
});
