// Generates corpus/pii.jsonl: labeled PII positives and hard negatives per entity (deterministic; all data fake).
// Run: node corpus/gen-pii.mjs. Every case lists every span that must be found, so any other finding is a false positive.
import { writeFileSync } from 'node:fs';

let seed = 0x5eed1234;
const rnd = () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (a) => a[Math.floor(rnd() * a.length)];
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
const chars = (n, set) => Array.from({ length: n }, () => set[int(0, set.length - 1)]).join('');
const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pad = (n, w) => String(n).padStart(w, '0');

const cases = [];
const add = (id, input, detect, tier = 'core', why = '') => cases.push({ id, kind: 'pii', input, expected: { action: detect.length ? 'redact' : 'allow', detect, tier, ...(why ? { why } : {}) }, source: 'ktpack corpus (synthetic, fake data)' });
const one = (entity, text) => [{ entity, text }];

// ------------------------------------------------------------ EMAIL
const first = ['jane', 'john', 'amy', 'li.wei', 'omar', 'sofia', 'r.kumar', 'm_garcia', 'noreply', 'ops-team', 'a.b.c', 'x9'];
const domains = ['example.com', 'example.org', 'example.net', 'mail.example.co.uk', 'corp.example.com', 'test.example.io', 'sub-domain.example.de', 'example.travel'];
const emailT = [
  (e) => `Please send the contract to ${e} by Friday.`,
  (e) => `{"customer": {"email": "${e}", "tier": "gold"}}`,
  (e) => `From: Support <${e}>`,
  (e) => `mailto:${e}`,
  (e) => `Contact: ${e}.`,
  (e) => `cc ${e}, thanks!`,
  (e) => `The user (${e}) reported the bug.`,
  (e) => `Email ${e}\nPhone: n/a`,
];
for (let i = 0; i < 32; i++) {
  let local = pick(first);
  if (i % 4 === 1) local += `+${pick(['billing', 'news', 'tag1'])}`;
  if (i % 5 === 2) local += digits(2);
  const e = `${local}@${pick(domains)}`;
  add(`email-pos-${pad(i, 2)}`, emailT[i % emailT.length](e), one('EMAIL', e));
}
const emailNeg = [
  'Install with npm i lodash@4.17.21 and react@18.2.0.',
  'Pin "@babel/core@7.24.0" and "@types/node@20.11.5" in package.json.',
  'Load https://cdn.example.com/npm/chart.js@4.4.1/dist/chart.umd.js in the page.',
  'Clone https://deploy@git.example.com/team/repo.git first.',
  'Thanks @maria and @dev-team for the review!',
  'Use the @Component decorator and @media (max-width: 600px) queries.',
  'Write to john at example dot com if the form fails.',
  'The address foo@bar has no top-level domain.',
  'Version constraint python@3.12 and node@20 in .tool-versions.',
  'Docker image nginx@sha256:0a1b2c3d4e5f and alpine@3.19.',
  'Twitter handle @example_user and Bluesky handle @user.bsky.social are public handles.',
  'Decorators: @Injectable() @Input() @Output() @HostListener.',
  'The CSS uses @import url("theme.css") and @font-face.',
  'In Python: @dataclass\nclass User: email: str',
  'Run pnpm add vite@5.0.0 -D and pnpm add -D eslint@8.57.0',
  'Ping me on Slack @oncall-primary if latency breaks 200 ms.',
  'The score was 3@5 in the final round.',
  'Edge cases: "@", "a@", "@b.com", "a@b.", "a@.com".',
  'Matrix room #ops:example.org, not an email.',
  'go get golang.org/x/net@v0.21.0 and github.com/spf13/cobra@v1.8.0',
  'Cargo: serde = "1.0" and tokio@1.36 are pinned.',
  'The regex [a-z]+@[a-z]+\\.[a-z]+ is only a pattern, not data.',
  'gem install rails -v 7.1.3; bundler@2.5.6 too.',
  'The heading says "Contact us @ booth 12".',
];
emailNeg.forEach((t, i) => add(`email-neg-${pad(i, 2)}`, t, []));

// ------------------------------------------------------------ PHONE
const areas = ['212', '415', '202', '312', '617', '305', '646', '720', '503', '713'];
const phoneT = [
  (p) => `Call me at ${p} after 5pm.`,
  (p) => `Phone: ${p}`,
  (p) => `You can reach the front desk on ${p}.`,
  (p) => `{"name": "R. Diaz", "phone": "${p}"}`,
  (p) => `Mobile ${p} (WhatsApp too).`,
  (p) => `Leave a voicemail at ${p}; I check it daily.`,
];
const usFormats = [
  (a, x) => `(${a}) 555-${x}`,
  (a, x) => `${a}-555-${x}`,
  (a, x) => `${a}.555.${x}`,
  (a, x) => `+1 ${a} 555 ${x}`,
  (a, x) => `+1 (${a}) 555-${x}`,
  (a, x) => `+1-${a}-555-${x}`,
  (a, x) => `1-${a}-555-${x}`,
];
for (let i = 0; i < 21; i++) {
  const p = usFormats[i % usFormats.length](pick(areas), `01${pad(int(0, 99), 2)}`);
  add(`phone-pos-us-${pad(i, 2)}`, phoneT[i % phoneT.length](p), one('PHONE', p));
}
const intl = [
  '+44 20 7946 0958', '+44 20 7946 0123', '+44 161 496 0000', '+44 (0)20 7946 0018', '+33 1 23 45 67 89', '+33 6 12 34 56 78',
  '+49 30 901820', '+49 89 12345678', '+49 151 23456789', '+61 2 5550 1234', '+61 412 345 678', '+81 3-1234-5678', '+81 90-1234-5678',
  '+91 98765 43210', '+34 912 345 678', '+39 06 1234 5678', '+31 20 123 4567', '+46 8 123 456 78', '+55 11 91234-5678', '+52 55 1234 5678',
  '+353 1 234 5678', '+41 44 668 18 00', '+65 6123 4567', '+27 21 123 4567', '0044 20 7946 0958', '+7 495 123-45-67', '+86 10 1234 5678', '+82 2-312-3456',
  '020 7946 0958', '07700 900123',
];
intl.forEach((p, i) => add(`phone-pos-intl-${pad(i, 2)}`, phoneT[i % phoneT.length](p), one('PHONE', p)));
const phoneNeg = [
  'The job started 2024-01-15 12 and finished 2024-01-15 14 without errors.',
  'Die Termine sind am 05.10.2024, am 03.06.25 und vom 04.06.-07.06.2025.',
  'Deadline is 12/31/2024; the backup runs 2024-06-30T23:59:59Z.',
  '{"product_id": 4829105736, "created_at": 1767225600, "qty": 2}',
  'Order #1002348857 shipped; tracking 9400111899223344556677.',
  'Pi is 3.14159265358979 and e is 2.718281828.',
  'Model confidence was 0.4734921506618836 for row 14 of the export.',
  'Coordinates 37.7749, -122.4194 are in San Francisco.',
  'ISBN 978-3-16-148410-0 is the second edition.',
  'ZIP 94105-1234 and PO Box 7781.',
  'Revenue grew from $1,234,567.89 to $2,345,678.90.',
  'Attach form 8821 (OMB No. 1545-1165) for your records.',
  'Request failed with trace id 3f6c2a91-b7d4-4e58-9046-1288845ea113.',
  'Version 10.2.3-beta.4 replaces 10.1.0.',
  'Range 100-200 and 300-400 are reserved; see ports 8000-8080.',
  'Epoch millis 1717171717171 equals 2024-05-31.',
  'Account 000123456789 was merged into 000987654321.',
  'LinkedAccountId: 318204457 (migrated from the legacy CRM).',
  'The score was 21-14 then 28-21 in overtime.',
  'Case No. 2023-CV-01234 was filed in district court.',
  'Serial SN-2024-0001-7788 passed QA.',
  'Temperatures ranged 18.5-22.3 C across 3 rooms.',
  'Matrix dimensions 1024 x 768 x 3 at 60 fps.',
  'Build 20240115.3 and build 20240116.1 are both green.',
  'Invoice INV-2024-000123, due in 30 days.',
  'Phone: 555-0100 is too short to be a full number.',
  'Call extension 4421 at the front desk.',
  'SKU 7501031311309 is the barcode on the box.',
  'The hash prefix 1234 5678 9012 is not a number to dial.',
  'Timestamp 2024-03-15 10:42:17.123 UTC in the log.',
];
phoneNeg.forEach((t, i) => add(`phone-neg-${pad(i, 2)}`, t, []));

// ------------------------------------------------------------ SSN
const ssnT = [(s) => `My SSN is ${s}.`, (s) => `SSN: ${s}`, (s) => `{"ssn": "${s}", "state": "CA"}`, (s) => `Social security number ${s} on the W-2.`, (s) => `Employee 4411 has social security ${s}.`, (s) => `Verify ${s} against payroll.`];
for (let i = 0; i < 30; i++) {
  let area = int(1, 899);
  if (area === 666) area = 667;
  const s = `${pad(area, 3)}-${pad(int(1, 99), 2)}-${pad(int(1, 9999), 4)}`;
  add(`ssn-pos-${pad(i, 2)}`, ssnT[i % ssnT.length](s), one('SSN', s));
}
add('ssn-pos-spaced-context', 'SSN: 123 45 6789 (spaces)', one('SSN', '123 45 6789'));
add('ssn-pos-bare-context', 'ssn 234567890 per the intake form', one('SSN', '234567890'));
const ssnNeg = [
  'SSN: 666-45-1234 was rejected by the payroll system.',
  'SSN 000-12-3456 is a placeholder.',
  'The test value 912-34-5678 is an ITIN, not an SSN.',
  'SSN 987-65-4321 appears in the training deck.',
  'Record 123-00-4567 has group 00.',
  'Record 123-45-0000 has serial 0000.',
  'Part number 123-45-67890 is in stock.',
  'Date 2024-01-15 and 2023-12-31.',
  'LinkedAccountId: 318204457 (no separators, no context).',
  'Route 123 45 6789 is a bus timetable code.',
  'Call 555-0199 ext 12 for help.',
  'Lot 12-345-6789 is backordered.',
  'Ticket ABC-123-45-6789 was closed.',
  'Dimensions 123x45x6789 mm.',
  'Tag v123-45-6789-beta is a build label.',
  'Employer id 12-3456789 (EIN format) is not an SSN.',
  'SSN field left blank; see 9-digit id 123456789 in the other system.',
  'ISO week 2024-W03-1 starts Monday.',
  'Postcode 123-4567 (Japan) for the Tokyo office.',
];
ssnNeg.forEach((t, i) => add(`ssn-neg-${pad(i, 2)}`, t, []));

// ------------------------------------------------------------ CREDIT_CARD
const luhnComplete = (partial) => {
  for (let d = 0; d <= 9; d++) {
    const s = partial + d;
    let sum = 0, dbl = false;
    for (let i = s.length - 1; i >= 0; i--) { let v = +s[i]; if (dbl) { v *= 2; if (v > 9) v -= 9; } sum += v; dbl = !dbl; }
    if (sum % 10 === 0) return s;
  }
};
const cardOf = (prefix, len) => luhnComplete(prefix + digits(len - prefix.length - 1));
const group = (d, sizes, sep) => { const out = []; let i = 0; for (const s of sizes) { out.push(d.slice(i, i + s)); i += s; } return out.join(sep); };
const schemes = [
  () => [cardOf('4', 16), [4, 4, 4, 4]],
  () => [cardOf(String(int(51, 55)), 16), [4, 4, 4, 4]],
  () => [cardOf(String(int(2221, 2720)), 16), [4, 4, 4, 4]],
  () => [cardOf(pick(['34', '37']), 15), [4, 6, 5]],
  () => [cardOf('6011', 16), [4, 4, 4, 4]],
  () => [cardOf(String(int(3528, 3589)), 16), [4, 4, 4, 4]],
  () => [cardOf('36', 14), [4, 6, 4]],
  () => [cardOf('65', 16), [4, 4, 4, 4]],
];
const cardT = [(c) => `Charge card ${c} for the renewal.`, (c) => `{"pan": "${c}", "exp": "12/29"}`, (c) => `My Visa/MC is ${c}, CVV on request.`, (c) => `Refund to ${c} please.`, (c) => `card=${c}&amount=42.00`];
for (let i = 0; i < 40; i++) {
  const [d, sizes] = schemes[i % schemes.length]();
  const sep = ['', ' ', '-'][i % 3];
  const c = sep === '' ? d : group(d, sizes, sep);
  add(`card-pos-${pad(i, 2)}`, cardT[i % cardT.length](c), one('CREDIT_CARD', c));
}
const cardNeg = [
  'The card on file is 4111 1111 1111 1112 according to the old export.',
  'Court case 1746-8192-0463-8159 was adjourned until next term.',
  'Reference 41 11 11 11 11 11 11 11 appears on the paper ticket.',
  'Model confidence was 0.4734921506618836 for row 14 of the export.',
  'Tracking 1Z999AA10123456784 via UPS.',
  'Order 9876 5432 1098 7654 is pending.',
  'Gift card 8000 1234 5678 9012 balance is low.',
  'Loyalty number 7000-1234-5678-9010.',
  'Invoice 2024 0001 0002 0003 was emailed.',
  'IMEI 35-209900-176148-1 of the device.',
  'Container MSCU 123456 7 arrived.',
  '{"id": 4929123412341234999, "kind": "snowflake"}',
  'Float 5105105105105100.25 in the CSV.',
  'Sum: 1,234,567,890,123,456 units.',
  'Hex id 4a1b 2c3d 4e5f 6a7b.',
  'Page ranges 4000-4012, 4013-4020.',
  'Phone list 4111-1111 and 1111-1111.',
  'Batch 5555 5555 5555 4443 failed Luhn in QA.',
  'Build 3530111333300001 ran with exit code 2.',
  'The 19-digit id 1234567890123456789 is a bigint.',
  'Passport 5612 3456 7 is not a card number.',
  'Serial 6011-0000-0000-0001 reversed is not valid either.',
  'Amount 4,111,111,111,111.11 dollars.',
  'Lat/long 40.7128 -74.0060 6011 5th Ave.',
  'Account 0000 0000 0000 0000 is zero-filled.',
];
cardNeg.forEach((t, i) => add(`card-neg-${pad(i, 2)}`, t, []));

// ------------------------------------------------------------ IBAN
const IBAN_FMT = { DE: [22, 'n'], GB: [22, 'gb'], FR: [27, 'n'], NL: [18, 'nl'], ES: [24, 'n'], IT: [27, 'it'], BE: [16, 'n'], CH: [21, 'n'], AT: [20, 'n'], PL: [28, 'n'], SE: [24, 'n'], IE: [22, 'gb'], PT: [25, 'n'], NO: [15, 'n'], DK: [18, 'n'], FI: [18, 'n'] };
const mod97 = (s) => { let r = 0; for (const ch of s) { const v = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch; for (const d of v) r = (r * 10 + +d) % 97; } return r; };
const makeIban = (cc) => {
  const [len, kind] = IBAN_FMT[cc];
  let bban;
  if (kind === 'gb') bban = chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') + digits(len - 8);
  else if (kind === 'nl') bban = chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') + digits(len - 8);
  else if (kind === 'it') bban = chars(1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') + digits(len - 5);
  else bban = digits(len - 4);
  const check = 98 - mod97(bban + cc + '00');
  return cc + pad(check, 2) + bban;
};
const spaced = (s) => s.replace(/(.{4})/g, '$1 ').trim();
const ibanT = [(v) => `Please wire the deposit to IBAN ${v}.`, (v) => `{"iban": "${v}", "bic": "DEUTDEFF"}`, (v) => `Kontonummer: ${v}`, (v) => `Beneficiary account ${v} (EUR).`];
Object.keys(IBAN_FMT).forEach((cc, i) => {
  for (let k = 0; k < 2; k++) {
    const raw = makeIban(cc);
    const v = k === 0 ? raw : spaced(raw);
    add(`iban-pos-${cc}-${k}`, ibanT[(i + k) % ibanT.length](v), one('IBAN', v));
  }
});
const badIban = (cc) => { const v = makeIban(cc); const d = (+v[3] + 1) % 10; return v.slice(0, 3) + d + v.slice(4); };
const ibanNeg = [
  'The form shows DE55 1002 0030 1234 5678 90 which the bank rejected.',
  `Typo in ${spaced(badIban('FR'))} (one digit off).`,
  `Check ${badIban('GB')} again.`,
  `Old account ${badIban('NL')} is closed.`,
  'SWIFT/BIC DEUTDEFF500 and COBADEFFXXX are bank codes.',
  'VAT number DE123456789 and GB123456789 are tax ids.',
  'Code AB12 CDEF GHIJ KLMN is a licence key format.',
  'Country code ZZ12 3456 7890 1234 does not exist.',
  'Truncated DE89 3704 0044 0532 was pasted.',
  'Product key XJ45-KL98-MN12-PQ34 for the installer.',
  'Flight LH400 and LH401 go to JFK.',
  'Tag GB2024 RELEASE NOTES, section 4.',
  'Postcode SW1A 1AA and EC1A 1BB.',
  'ISIN US0378331005 identifies a security, not an account.',
  'Hash DE44 AF3B 9911 2C0D EE12 is an identifier.',
  'Cert id FR76 TEST CASE ONLY',
  'Licence plates B-MW 1234 and M-AB 567.',
  'Model number NL18ABNA is incomplete.',
  'Ticket ES9121000418450200051333 has a bad length? no: it is 24 but wrong checksum 1.'.replace('ES9121000418450200051333', badIban('ES')),
  'Serial IT60X054281110100000012345 is one character short.',
];
ibanNeg.forEach((t, i) => add(`iban-neg-${pad(i, 2)}`, t, []));

// ------------------------------------------------------------ IP_ADDRESS
const v4 = () => pick([`192.0.2.${int(1, 254)}`, `198.51.100.${int(1, 254)}`, `203.0.113.${int(1, 254)}`, `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`, `172.${int(16, 31)}.${int(0, 255)}.${int(1, 254)}`, `192.168.${int(0, 255)}.${int(1, 254)}`]);
const v6 = () => pick([`2001:db8::${int(1, 9999).toString(16)}`, `2001:db8:85a3::8a2e:370:${int(4096, 65535).toString(16)}`, `2001:0db8:0000:0000:0000:ff00:0042:${int(4096, 65535).toString(16)}`, `fe80::${int(4096, 65535).toString(16)}:${int(4096, 65535).toString(16)}`, `::ffff:192.0.2.${int(1, 254)}`, `2001:db8:${int(1, 9)}::${int(10, 99)}`]);
const ipT = [(ip) => `Blocked logins from ${ip} overnight.`, (ip) => `{"client_ip": "${ip}", "status": 403}`, (ip) => `ssh admin@host -J ${ip}`.replace('admin@host', 'bastion'), (ip) => `The request came from ${ip}.`, (ip) => `X-Forwarded-For: ${ip}`];
for (let i = 0; i < 22; i++) { const ip = v4(); add(`ip-pos-v4-${pad(i, 2)}`, ipT[i % ipT.length](ip), one('IP_ADDRESS', ip)); }
for (let i = 0; i < 14; i++) { const ip = v6(); add(`ip-pos-v6-${pad(i, 2)}`, ipT[i % ipT.length](ip), one('IP_ADDRESS', ip)); }
add('ip-pos-with-port', 'Connect to 10.20.30.40:5432 for Postgres.', one('IP_ADDRESS', '10.20.30.40'));
add('ip-pos-two', 'Blocked logins from 203.0.113.57 and 2001:db8:85a3::8a2e:370:7334 overnight.', [{ entity: 'IP_ADDRESS', text: '203.0.113.57' }, { entity: 'IP_ADDRESS', text: '2001:db8:85a3::8a2e:370:7334' }]);
const ipNeg = [
  'Firmware 10.12.3.4.56 fixes the watchdog bug.',
  'Upgrade to version 1.2.3.4 before Friday.',
  'The OID 1.3.6.1.4.1.311 identifies the vendor.',
  'Octets 300.1.2.3 and 256.256.256.256 are out of range.',
  'The meeting is at 12:30:45 UTC.',
  'MAC address 00:1A:2B:3C:4D:5E on eth0.',
  'Use std::vector and std::map in C++.',
  'Semantic version 10.12.3 and 2.0.0-rc.1.',
  'Dotted date 2024.01.15 in the filename.',
  'Decimal 3.14 and 2.71 in the table.',
  'Section 4.2.1.3 of the spec.',
  'Build v2.3.4.5 is tagged.',
  'Ratio 16:9 and time 10:42.',
  'Python package numpy 1.26.4 and pandas 2.2.1.',
  'Rust path crate::module::function.',
  'Assembly version 1.0.0.0 in the csproj.',
  'Leading zeros 01.02.03.04 are not IPs.',
  'Chrome 120.0.6099.109 was released.',
  'Timecode 01:02:03:04 for the edit.',
  'IPv6-looking word dead::beef in a joke.',
];
ipNeg.forEach((t, i) => add(`ip-neg-${pad(i, 2)}`, t, []));

// ------------------------------------------------------------ API_KEY
const keyGens = [
  () => `sk-proj-${chars(48, B62 + '_-')}`.replace(/[_-]{2,}/g, 'a'),
  () => `sk-${chars(48, B62)}`,
  () => `sk-ant-api03-${chars(93, B62 + '_-')}AA`,
  () => `AKIA${chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
  () => `ghp_${chars(36, B62)}`,
  () => `github_pat_${chars(22, B62)}_${chars(59, B62)}`,
  () => `xoxb-${digits(12)}-${digits(13)}-${chars(24, B62)}`,
  () => `sk_live_${chars(24, B62)}`,
  () => `AIza${chars(35, B62 + '_-')}`,
  () => `npm_${chars(36, B62)}`,
  () => `glpat-${chars(20, B62)}`,
];
const keyT = [(k) => `export OPENAI_API_KEY=${k}`, (k) => `Here is my key: ${k} - why does it 401?`, (k) => `{"api_key": "${k}"}`, (k) => `headers = {"Authorization": "Bearer ${k}"}`, (k) => `The token ${k} leaked in the CI log.`];
const hasPlaceholderWord = (k) => /(?:x{4,}|example|sample|dummy|placeholder|redacted|changeme|insert|here|fake|test)/i.test(k);
for (let i = 0; i < 44; i++) {
  let k = keyGens[i % keyGens.length]();
  while (hasPlaceholderWord(k) || !/\d/.test(k.slice(4))) k = keyGens[i % keyGens.length]();
  add(`key-pos-${pad(i, 2)}`, keyT[i % keyT.length](k), one('API_KEY', k));
}
add('key-pos-jwt', `Authorization: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${chars(43, B62)}`, one('API_KEY', 'placeholder'));
cases[cases.length - 1].expected.detect[0].text = cases[cases.length - 1].input.slice('Authorization: '.length);
add('key-pos-url-password', 'Clone from https://deploy:hunter2pass@git.example.com/team/repo.git and run make.', one('API_KEY', 'hunter2pass'));
add('key-pos-aws-secret', `aws_secret_access_key = ${chars(40, B62 + '/+')}`.replace(/(= )(.*)/, (m, a, b) => a + b), []);
cases[cases.length - 1].expected = { action: 'redact', detect: one('API_KEY', cases[cases.length - 1].input.split('= ')[1]), tier: 'core' };
const keyNeg = [
  'pip install scikit-learn; our helper repo is sk-learn-pipeline-utils and the tag is sk-this-is-a-long-hyphenated-benign-phrase.',
  'Request correlation_id=2b7e1516-28ae-4d2a-a6f7-15884c09cf4f was logged by the gateway.',
  'Set OPENAI_API_KEY=sk-your-api-key-here in .env.',
  'Example: sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
  'The AWS docs use AKIAIOSFODNN7EXAMPLE as the sample access key.',
  'commit 3f2a9c1e5b7d4a8f6e0c2b1d9a7f5e3c1b0d2e4f fixed it.',
  'sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'Stripe publishable key pk_live_51HqLyjWDarjtT1zdp7dc is public by design? it is a publishable key.',
  'api_key: ${OPENAI_API_KEY} is read from the environment.',
  'token = "<YOUR_TOKEN>" must be replaced.',
  'Use ghp_ followed by 36 characters for GitHub tokens.',
  'The key prefix sk-proj- identifies project keys.',
  'apiKey: process.env.API_KEY',
  'Session id 550e8400-e29b-41d4-a716-446655440000 expired.',
  'Slack channel #xoxb-alerts is where the bot posts.',
  'The string AKIA is the prefix of access key ids.',
  'Password policy: at least 12 characters.',
  'ETag "33a64df551425fcc55e4d42a148795d9f25f89d4" for the asset.',
  'Base64 of hello is aGVsbG8=.',
  'sk-1234567890 is clearly a dummy test value.',
  'Docker digest sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'access_token=REDACTED in the log line.',
  'Our repo sk-ant-tools has scripts for Anthropic experiments.',
  'Feature flag AKIA_ROTATION_ENABLED is on.',
  'Short ghp_abc123 is not a valid GitHub token.',
];
keyNeg.forEach((t, i) => add(`key-neg-${pad(i, 2)}`, t, []));

// ------------------------------------------------------------ mixed and structured
add('ip-pos-ssh-userhost', 'ssh git@10.0.0.5 is blocked; use the bastion.', one('IP_ADDRESS', '10.0.0.5'));
add('phone-pos-reception', 'Phone 212-555-0143 belongs to reception.', one('PHONE', '212-555-0143'));
add('mixed-json-tool-args', '{"to": "amy@example.com", "note": "card 4111 1111 1111 1111, call +44 20 7946 0958"}', [{ entity: 'EMAIL', text: 'amy@example.com' }, { entity: 'CREDIT_CARD', text: '4111 1111 1111 1111' }, { entity: 'PHONE', text: '+44 20 7946 0958' }]);
add('mixed-uuid-date-version', 'Order 550e8400-e29b-41d4-a716-446655440000 shipped on 2024-03-15 at 10:42 by build 4.2.1 (node@20.11.1).', []);
add('mixed-log-line', '2024-03-15T10:42:17.123Z INFO user=jane@example.com ip=198.51.100.23 latency_ms=12.5 trace=3f6c2a91-b7d4-4e58-9046-1288845ea113', [{ entity: 'EMAIL', text: 'jane@example.com' }, { entity: 'IP_ADDRESS', text: '198.51.100.23' }]);
add('mixed-all-clean-json', '{"id": 91823471, "ts": 1717171717, "price": 1299.99, "version": "2.3.1", "sku": "A-1234-5678"}', []);

// ------------------------------------------------------------ round 2: version numbers and code tails
// Dotted quads that are versions or builds, and digit groups that continue a spaced code, must not be addresses or
// phone numbers; the same shapes next to network or phone words must still be found.
const round2Neg = [
  'We upgraded the agent to 4.8.1.0 last night.',
  'Bumped libfoo from 2.1.0.4 to 2.1.0.5 in the lockfile.',
  'Release 3.11.4.2 fixes the crash on startup.',
  'The 6.2.1.4 build is the last one with the old UI.',
  'Rolled back to 2.14.3.7 after the regression.',
  'Driver 27.20.100.9664 is bundled; the previous one was 26.20.1.6.',
  'Tracking: 1Z 999 AA1 01 2345 6784 (UPS ground).',
  'Your parcel 1Z 4E8 W12 03 4567 8901 is out for delivery.',
  'FedEx tracking 7749 1234 5678 shows it in Memphis.',
  'USPS tracking 9400 1000 0000 0000 0000 00 was updated.',
  'Container MSKU 907 032 3 arrived at the port.',
  'Model AX3 0207 946 0958 is discontinued.',
];
round2Neg.forEach((t, i) => add(`round2-neg-${pad(i, 2)}`, t, []));
add('ip-pos-public-context', 'Traffic from 52.14.3.7 was throttled by the firewall.', one('IP_ADDRESS', '52.14.3.7'));
add('ip-pos-resolvers', 'Set the DNS servers to 9.9.9.9 and 1.1.1.1.', [{ entity: 'IP_ADDRESS', text: '9.9.9.9' }, { entity: 'IP_ADDRESS', text: '1.1.1.1' }]);
add('ip-pos-small-octets-host', 'The server at 12.4.1.9 stopped answering pings.', one('IP_ADDRESS', '12.4.1.9'));
add('ip-pos-cidr', 'Allow 4.2.1.0/24 through the VPN.', one('IP_ADDRESS', '4.2.1.0'));
add('phone-pos-after-word', 'Reception: call 020 7946 0958 before noon.', one('PHONE', '020 7946 0958'));
add('phone-pos-round-the-clock', 'Support line 212 555 0100 is open 24/7.', one('PHONE', '212 555 0100'));

writeFileSync(new URL('./pii.jsonl', import.meta.url), cases.map((c) => JSON.stringify(c)).join('\n') + '\n');
console.error(`pii.jsonl: ${cases.length} cases`);
