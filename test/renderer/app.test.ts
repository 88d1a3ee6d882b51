// The shell of the page: theme (system preference, then the toggle, remembered),
// screen navigation, the lab shown, and the error banner.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../../renderer/src/App.svelte';
import { LabState } from '../../renderer/src/lib/state.svelte.js';
import { createFakeClient, labStatus } from './fake-client.js';

function client() {
  return createFakeClient({
    'lab:status': () => [labStatus('demo'), labStatus('other')],
    'templates:list': () => [],
    'pool:list': () => [],
  });
}

afterEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

describe('App', () => {
  it('follows the system theme first, then the toggle, and remembers it', async () => {
    const original = globalThis.matchMedia;
    globalThis.matchMedia = ((q: string) => ({
      matches: q.includes('dark'),
      media: q,
    })) as typeof matchMedia;
    try {
      render(App, { lab: new LabState(client()) });
      expect(document.documentElement.dataset.theme).toBe('dark');
      const toggle = screen.getByRole('button', { name: /Light/ });
      expect(toggle.getAttribute('aria-pressed')).toBe('true');
      await fireEvent.click(toggle);
      expect(document.documentElement.dataset.theme).toBe('light');
      expect(localStorage.getItem('egress-lab-theme')).toBe('light');
    } finally {
      globalThis.matchMedia = original;
    }
  });

  it('shows the running labs, lets the user pick one, and navigates between screens', async () => {
    const lab = new LabState(client());
    render(App, { lab });
    await waitFor(() =>
      expect(screen.getByTestId('lab-badge').textContent).toContain('demo running'),
    );
    await fireEvent.change(screen.getByRole('combobox', { name: 'Lab shown' }), {
      target: { value: 'other' },
    });
    expect(screen.getByTestId('lab-badge').textContent).toContain('other running');

    const nav = screen.getByRole('navigation', { name: 'Screens' });
    await fireEvent.click(screen.getByRole('button', { name: 'Pools' }));
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe('Pools');
    expect(screen.getByRole('heading', { name: 'IP pools' })).toBeTruthy();
  });

  it('shows a failed action in a dismissable alert', async () => {
    const lab = new LabState(client());
    render(App, { lab });
    await lab.run('Doing', () =>
      Promise.reject(new Error('file.yaml:3:5: IPPool(p) spec.cidr: invalid CIDR')),
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('file.yaml:3:5: IPPool(p) spec.cidr: invalid CIDR');
    await fireEvent.click(screen.getByRole('button', { name: 'Dismiss error' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('names the engine the labs run on, and when none answers says what to start', async () => {
    const found = client();
    found.handlers['engine:status'] = () => ({
      ok: true,
      engine: 'Docker Desktop at ~/.docker/desktop/docker.sock',
      remote: false,
    });
    const { unmount } = render(App, { lab: new LabState(found) });
    await waitFor(() =>
      expect(screen.getByTestId('engine-badge').textContent).toContain(
        'engine: Docker Desktop at ~/.docker/desktop/docker.sock',
      ),
    );
    expect(screen.queryByTestId('engine-missing')).toBeNull();
    unmount();
    const none = client();
    none.handlers['engine:status'] = () => ({
      ok: false,
      message: 'No container engine answers (tried: /var/run/docker.sock). Start Docker Desktop, …',
    });
    render(App, { lab: new LabState(none) });
    await waitFor(() =>
      expect(screen.getByTestId('engine-missing').textContent).toContain('Start Docker Desktop'),
    );
    expect(screen.getByTestId('engine-badge').textContent).toContain('No container engine answers');
  });
});
