// No download ever starts in the app: it would write a file the page chose to the user's
// disk. Pcaps are saved through the lab API instead, where the main process decides.
import type { Session } from 'electron';

export function refuseDownloads(ses: Pick<Session, 'on'>): void {
  ses.on('will-download', (event) => event.preventDefault());
}
