// The only download the app allows: a pcap the app's own page made (Save pcap builds it from
// the service's pieces as a blob: URL of app://egress-lab and names it *.pcap), always saved
// through the save dialog, where the user picks the place. Anything else a page starts is
// cancelled: it would write a file the page chose to the user's disk.
import type { DownloadItem, Session } from 'electron';

/** Whether a download is the app page's own pcap. */
export function isAppPcap(url: string, filename: string): boolean {
  if (!url.startsWith('blob:')) return false;
  let inner: URL;
  try {
    inner = new URL(url.slice('blob:'.length));
  } catch {
    return false;
  }
  return (
    inner.protocol === 'app:' &&
    inner.host === 'egress-lab' &&
    /^[A-Za-z0-9._-]{1,200}\.pcap$/.test(filename)
  );
}

export function refuseDownloads(ses: Pick<Session, 'on'>): void {
  ses.on('will-download', (event, item: DownloadItem) => {
    if (!item || !isAppPcap(item.getURL(), item.getFilename())) return event.preventDefault();
    // No save path set: Electron asks the user where, with these options.
    item.setSaveDialogOptions({
      title: 'Save pcap',
      defaultPath: item.getFilename(),
      filters: [{ name: 'Packet capture', extensions: ['pcap'] }],
    });
  });
}
