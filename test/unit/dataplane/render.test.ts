import { describe, expect, test } from 'vitest';
import { natIpSets, natTable } from '../../../src/core/dataplane/felix-nat.js';
import { renderIpsetRestore, renderIpsetStages } from '../../../src/core/dataplane/render-ipset.js';
import {
  renderIptablesNat,
  renderIptablesSave,
  renderNatRestoreParts,
} from '../../../src/core/dataplane/render-nat.js';
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

  test('in parts for the apply: declarations, our chains, the hooks in kernel chains', () => {
    const p = renderNatRestoreParts(nat);
    expect(p.head).toBe(
      '*nat\n:cali-POSTROUTING - [0:0]\n:cali-fip-snat - [0:0]\n:cali-nat-outgoing - [0:0]\n:egress-lab-conntrack - [0:0]\n',
    );
    expect(p.kernelRules).toBe(`${HOOK.replace('-j ', '--jump ')}\n`);
    const own = p.ownRules.trimEnd().split('\n');
    expect(own.map((l) => l.split(' ')[1])).toEqual([
      'cali-POSTROUTING',
      'cali-POSTROUTING',
      'cali-nat-outgoing',
      'egress-lab-conntrack',
    ]);
    // The whole input is exactly the parts and COMMIT: nothing is left out or said twice.
    expect(renderIptablesNat(nat)).toBe(`${p.head}${p.ownRules}${p.kernelRules}COMMIT\n`);
  });

  test('natOutgoing off: the chains stay declared (flushed), the MASQUERADE rule goes', () => {
    const off = renderNatRestoreParts(natTable([pool('p', '192.168.0.0/16')], felix()));
    expect(off.head).toContain(':cali-nat-outgoing - [0:0]\n');
    expect(off.ownRules).not.toContain('MASQUERADE');
    expect(off.kernelRules).toBe(renderNatRestoreParts(nat).kernelRules);
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
  test('an empty set is still created and swapped (emptied)', () => {
    const text = renderIpsetRestore(natIpSets([pool('q', '10.0.0.0/8')], felix(), []));
    expect(text).toContain('flush cali4t0\nswap cali4t0 cali40masq-ipam-pools\n');
  });
});

describe('renderIpsetStages (the apply: stage, then swap after the nat rules)', () => {
  const sets = natIpSets(
    [pool('p', '192.168.0.0/16', { natOutgoing: true }), pool('q', '10.0.0.0/8')],
    felix(),
    [],
  );
  test('stage creates each set if missing and fills a temporary copy; swap puts it in', () => {
    const s = renderIpsetStages(sets, 'egl-tmp-');
    expect(s.stage.split('\n')).toEqual([
      'create cali40masq-ipam-pools hash:net family inet maxelem 1048576 -exist',
      'create egl-tmp-0 hash:net family inet maxelem 1048576',
      'add egl-tmp-0 192.168.0.0/16 -exist',
      'create cali40all-ipam-pools hash:net family inet maxelem 1048576 -exist',
      'create egl-tmp-1 hash:net family inet maxelem 1048576',
      'add egl-tmp-1 10.0.0.0/8 -exist',
      'add egl-tmp-1 192.168.0.0/16 -exist',
      '',
    ]);
    expect(s.swap).toBe(
      'swap cali40masq-ipam-pools egl-tmp-0\ndestroy egl-tmp-0\nswap cali40all-ipam-pools egl-tmp-1\ndestroy egl-tmp-1\n',
    );
    expect(s.names).toEqual(['cali40masq-ipam-pools', 'cali40all-ipam-pools']);
  });
  test('an empty set: staged empty, so the swap empties the live one', () => {
    const s = renderIpsetStages(natIpSets([pool('q', '10.0.0.0/8')], felix(), []), 't');
    expect(s.stage).toContain('create t0 hash:net family inet maxelem 1048576\ncreate ');
    expect(s.swap).toContain('swap cali40masq-ipam-pools t0\n');
  });
  test('refuses values that are not one word of an ipset line', () => {
    const set = sets[0]!;
    expect(() => renderIpsetStages([{ ...set, name: 'a b' }], 't')).toThrow(/bad ipset name/);
    expect(() => renderIpsetStages([{ ...set, name: 'x'.repeat(32) }], 't')).toThrow(
      /bad ipset name/,
    );
    expect(() =>
      renderIpsetStages([{ ...set, members: ['10.0.0.0/8\nflush cali40all-ipam-pools'] }], 't'),
    ).toThrow(/bad member/);
    expect(() => renderIpsetStages([], 't')).not.toThrow();
    expect(renderIpsetStages([], 't')).toEqual({ stage: '', swap: '', names: [] });
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
