// Golden values: rule IDs read off real Calico nodes, (felix/rules: the hash chain of felix/iptables/renderer.go).
import { describe, expect, test } from 'vitest';
import { appendRuleHashes, ruleHashes } from '../../../src/core/dataplane/hash.js';
import { natTable } from '../../../src/core/dataplane/felix-nat.js';
import { renderAppendFelix } from '../../../src/core/dataplane/iptables-text.js';
import type { Rule } from '../../../src/core/dataplane/types.js';
import { felix, pool } from '../helpers/lab.js';

const masq = (randomFully: boolean): Rule => ({
  match: [
    { kind: 'srcSet', set: 'cali40masq-ipam-pools' },
    { kind: 'dstSet', set: 'cali40all-ipam-pools', negate: true },
  ],
  action: { kind: 'masquerade', randomFully },
});

describe('Felix rule hashes (cali: comments)', () => {
  test('cali-POSTROUTING jumps', () => {
    const rules: Rule[] = [
      { match: [], action: { kind: 'jump', target: 'cali-fip-snat' } },
      { match: [], action: { kind: 'jump', target: 'cali-nat-outgoing' } },
    ];
    expect(ruleHashes('cali-POSTROUTING', rules)).toEqual(['Z-c7XtVd2Bq7s_hA', 'nYKhEzDlr11Jccal']);
  });

  test('POSTROUTING appended hook', () => {
    expect(
      appendRuleHashes('POSTROUTING', [
        { match: [], action: { kind: 'jump', target: 'cali-POSTROUTING' } },
      ]),
    ).toEqual(['0i8pjzKKPyA34aQD']);
  });

  test('MASQUERADE rule with and without --random-fully', () => {
    expect(ruleHashes('cali-nat-outgoing', [masq(false)])).toEqual(['Dw4T8UWPnCLxRJiI']);
    expect(ruleHashes('cali-nat-outgoing', [masq(true)])).toEqual(['flqWnvo8yq4ULQLa']);
  });

  test('the nat table built from a natOutgoing pool carries all the known hashes', () => {
    const nat = natTable([pool('p', '192.168.0.0/16', { natOutgoing: true })], felix());
    const post = nat.chains.find((c) => c.name === 'cali-POSTROUTING')!;
    const out = nat.chains.find((c) => c.name === 'cali-nat-outgoing')!;
    expect(ruleHashes(post.name, post.rules)).toEqual(['Z-c7XtVd2Bq7s_hA', 'nYKhEzDlr11Jccal']);
    expect(ruleHashes(out.name, out.rules)).toEqual(['flqWnvo8yq4ULQLa']);
    expect(appendRuleHashes('POSTROUTING', nat.appends[0]!.rules)).toEqual(['0i8pjzKKPyA34aQD']);
  });

  test('a hash depends on the chain, the position and the text', () => {
    const a = ruleHashes('cali-nat-outgoing', [masq(true)]);
    expect(ruleHashes('cali-other', [masq(true)])).not.toEqual(a);
    expect(ruleHashes('cali-nat-outgoing', [masq(false), masq(true)])[1]).not.toEqual(a[0]);
  });

  test('hashed text is Felix long-option form with HASH in place of the comment', () => {
    expect(renderAppendFelix('cali-nat-outgoing', masq(true), 'HASH')).toBe(
      '-A cali-nat-outgoing HASH -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst --jump MASQUERADE --random-fully',
    );
  });
});
