import { describe, expect, test } from 'vitest';
import { natIpSets, natTable } from '../../../src/core/dataplane/felix-nat.js';
import { renderIpsetPlain, renderIpsetRestore } from '../../../src/core/dataplane/render-ipset.js';
import { renderIptablesNat, renderIptablesSave } from '../../../src/core/dataplane/render-nat.js';
import { renderRoutes } from '../../../src/core/dataplane/render-routes.js';
import { felix, pool } from '../helpers/lab.js';

const nat = natTable([pool('p', '192.168.0.0/16', { natOutgoing: true })], felix());

const HOOK = '-A POSTROUTING -m comment --comment "cali:0i8pjzKKPyA34aQD" -j cali-POSTROUTING';

describe('renderIptablesNat (iptables-restore --noflush input)', () => {
  test('fresh namespace: declares and fills the cali- chains and appends the hook once', () => {
    expect(renderIptablesNat(nat)).toBe(
      [
        '*nat',
        ':cali-POSTROUTING - [0:0]',
        ':cali-fip-snat - [0:0]',
        ':cali-nat-outgoing - [0:0]',
        ':egress-lab-conntrack - [0:0]',
        '-A cali-POSTROUTING -m comment --comment "cali:Z-c7XtVd2Bq7s_hA" --jump cali-fip-snat',
        '-A cali-POSTROUTING -m comment --comment "cali:nYKhEzDlr11Jccal" --jump cali-nat-outgoing',
        '-A cali-nat-outgoing -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst --jump MASQUERADE --random-fully',
        // Not Felix's: an unreferenced conntrack rule keeps tracking on (see NatTable.labChains).
        '-A egress-lab-conntrack -m comment --comment "egress-lab: keeps conntrack on, as on a real node" -m conntrack --ctstate RELATED,ESTABLISHED --jump RETURN',
        '-A POSTROUTING -m comment --comment "cali:0i8pjzKKPyA34aQD" --jump cali-POSTROUTING',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  test('hook already there (as iptables-save shows it): not appended again', () => {
    const save = `*nat\n:POSTROUTING ACCEPT [0:0]\n${HOOK}\nCOMMIT\n`;
    const text = renderIptablesNat(nat, save);
    expect(text).not.toMatch(/^-A POSTROUTING/m);
    expect(text).not.toMatch(/^-D /m);
  });

  test('hook duplicated by an earlier blind apply: the extra copies are deleted in the same commit', () => {
    const save = `*nat\n${HOOK}\n-A POSTROUTING -j OTHER\n${HOOK}\n${HOOK}\nCOMMIT\n`;
    const lines = renderIptablesNat(nat, save).split('\n');
    expect(lines.filter((l) => l.startsWith('-D POSTROUTING'))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('-A POSTROUTING'))).toHaveLength(0);
    expect(lines.indexOf('COMMIT')).toBe(lines.length - 2);
  });

  test('iptables-save view: kernel chain hook first, short options', () => {
    const save = renderIptablesSave(nat);
    expect(save).toContain(`:POSTROUTING ACCEPT [0:0]\n`);
    expect(save).toContain(
      `${HOOK}\n-A cali-POSTROUTING -m comment --comment "cali:Z-c7XtVd2Bq7s_hA" -j cali-fip-snat\n`,
    );
  });
});

describe('renderIpsetRestore', () => {
  test('create-if-missing, fill a temporary set, swap, destroy', () => {
    const text = renderIpsetRestore(
      natIpSets(
        [pool('p', '192.168.0.0/16', { natOutgoing: true }), pool('q', '10.0.0.0/8')],
        felix(),
        [],
      ),
    );
    expect(text.split('\n')).toEqual([
      'create cali40masq-ipam-pools hash:net family inet maxelem 1048576 -exist',
      'create cali4t0 hash:net family inet maxelem 1048576 -exist',
      'flush cali4t0',
      'add cali4t0 192.168.0.0/16',
      'swap cali4t0 cali40masq-ipam-pools',
      'destroy cali4t0',
      'create cali40all-ipam-pools hash:net family inet maxelem 1048576 -exist',
      'create cali4t1 hash:net family inet maxelem 1048576 -exist',
      'flush cali4t1',
      'add cali4t1 10.0.0.0/8',
      'add cali4t1 192.168.0.0/16',
      'swap cali4t1 cali40all-ipam-pools',
      'destroy cali4t1',
      '',
    ]);
  });
  test('plain create/add form for runtimes that stage sets themselves', () => {
    expect(
      renderIpsetPlain(
        natIpSets([pool('p', '192.168.0.0/16', { natOutgoing: true })], felix(), []),
      ),
    ).toBe(
      'create cali40masq-ipam-pools hash:net family inet maxelem 1048576\nadd cali40masq-ipam-pools 192.168.0.0/16\n' +
        'create cali40all-ipam-pools hash:net family inet maxelem 1048576\nadd cali40all-ipam-pools 192.168.0.0/16\n',
    );
  });
  test('an empty set is still created and swapped (emptied)', () => {
    const text = renderIpsetRestore(natIpSets([pool('q', '10.0.0.0/8')], felix(), []));
    expect(text).toContain('flush cali4t0\nswap cali4t0 cali40masq-ipam-pools\n');
  });
});

describe('renderRoutes', () => {
  test('ip -batch lines with route replace, in order', () => {
    expect(
      renderRoutes([
        { dst: '169.254.1.1', dev: 'eth0', scope: 'link' },
        { dst: 'default', via: '169.254.1.1', dev: 'eth0' },
        { dst: '192.168.0.0/26', type: 'blackhole' },
      ]),
    ).toBe(
      'route replace 169.254.1.1 dev eth0 scope link\nroute replace default via 169.254.1.1 dev eth0\nroute replace blackhole 192.168.0.0/26\n',
    );
  });
});
