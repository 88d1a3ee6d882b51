// BIRD in a new container starts during `up` with its BGP sessions disabled, before the
// container is wired; once the links carry traffic, the wiring helper puts the plan's config
// in /etc/bird/bird.conf and runs `birdc enable all` (wiring-script.ts), and the lab BIRD connects at once
// (image-bird.ts). Starting or reconfiguring BIRD is the slow part (30-50 ms while other
// containers start); enabling its sessions takes a few ms. BIRD's running config then
// differs from the file only in `disabled`, which BIRD compares with the protocol's state
// on the next `birdc configure`: no session restarts because of it.

const BGP_PROTOCOL = /^protocol bgp [A-Za-z_][A-Za-z0-9_]*( from [A-Za-z_][A-Za-z0-9_]*)? \{$/;

/**
 * The config with `disabled;` as the first line of every `protocol bgp … {` block written
 * on its own line (as the core renders them); other layouts are left as they are (their
 * sessions then start enabled, which only costs failed connects until the links are up).
 */
export function birdConfigSessionsDisabled(config: string): string {
  return config
    .split('\n')
    .flatMap((line) => (BGP_PROTOCOL.test(line) ? [line, '  disabled;'] : [line]))
    .join('\n');
}
