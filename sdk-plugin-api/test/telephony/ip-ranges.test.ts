/** Inbound addresses: each entry checked on its own, with a message that names it and a fix. */
import t from 'tap';
import { checkIpRange } from '../../src/telephony/ip-ranges.js';

t.test('addresses and ranges come out as CIDRs', async (t) => {
  t.same(checkIpRange('203.0.113.10'), { ok: true, cidr: '203.0.113.10/32', version: 4 });
  t.same(checkIpRange(' 203.0.113.0/24 '), { ok: true, cidr: '203.0.113.0/24', version: 4 });
  t.same(checkIpRange('2001:db8::10'), { ok: true, cidr: '2001:db8::10/128', version: 6 });
  t.same(checkIpRange('2001:db8::/32'), { ok: true, cidr: '2001:db8::/32', version: 6 });
  t.same(checkIpRange('::ffff:203.0.113.0/120'), { ok: true, cidr: '::ffff:203.0.113.0/120', version: 6 });
});

t.test('bad entries are refused with the entry and the fix', async (t) => {
  const cases: Array<[unknown, RegExp, RegExp]> = [
    ['10.1.1.300', /'10\.1\.1\.300' is not an IP address/, /CIDR range/],
    ['sip.aliyun.com', /host names are not allowed/, /address/],
    ['10.0.0.5/24', /host bits set/, /10\.0\.0\.0\/24/],
    ['2001:db8::1/32', /host bits set/, /2001:db8::\/32/],
    ['10.0.0.0/33', /invalid prefix length/, /0 to 32/],
    ['10.0.0.0/x', /invalid prefix length/, /0 to 32/],
    ['0.0.0.0/0', /every address/, /signalling addresses/],
    ['', /not an IP address/, /address/],
    [42, /not an IP address/, /address/],
  ];
  for (const [entry, message, fix] of cases) {
    const checked = checkIpRange(entry);
    t.equal(checked.ok, false, JSON.stringify(entry));
    if (!checked.ok) {
      t.match(checked.message, message, `${JSON.stringify(entry)}: message`);
      t.match(checked.fix, fix, `${JSON.stringify(entry)}: fix`);
    }
  }
});
