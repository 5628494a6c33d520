import { parseRecord } from '../actions/lib/provenance-record';

const valid = () => ({
  v: 1,
  connection: 'google-oauth2',
  digest: 'k3J9x2Qa0bWc',
  policy: 'Ab-_12345678',
  attributes: { name: { source: 'idp', at: '2026-11-25T18:00:00.000Z', digest: 'k3J9x2Qa0bWc' } },
  violations: ['picture.host-not-allowed'],
});

describe('reading a stored provenance record', () => {
  it('accepts a valid record as it is', () => {
    const record = valid();
    expect(parseRecord(record)).toEqual({ status: 'valid', record });
  });

  it('reports nothing stored as missing', () => {
    expect(parseRecord(undefined)).toEqual({ status: 'missing' });
    expect(parseRecord(null)).toEqual({ status: 'missing' });
  });

  it('reports an unknown version', () => {
    expect(parseRecord({ ...valid(), v: 2 })).toEqual({ status: 'invalid', problem: 'unknown-version' });
    expect(parseRecord({ ...valid(), v: '1' })).toEqual({ status: 'invalid', problem: 'unknown-version' });
  });

  it.each([
    ['a string', 'not a record'],
    ['an array', [valid()]],
    ['a number', 42],
    ['a record without a version', (({ v, ...rest }) => (void v, rest))(valid())],
    ['an extra key', { ...valid(), note: 'x' }],
    ['an own __proto__ key', JSON.parse('{"__proto__":{"polluted":true},"v":1}')],
    ['a record whose prototype was replaced', Object.assign(Object.create({ inherited: true }), valid())],
    ['a wrong source', { ...valid(), attributes: { name: { source: 'hacker', at: '2026-11-25T18:00:00.000Z', digest: 'abc' } } }],
    ['an attribute that is not tracked', { ...valid(), attributes: { email: { source: 'idp', at: '2026-11-25T18:00:00.000Z', digest: 'abc' } } }],
    ['a bad timestamp', { ...valid(), attributes: { name: { source: 'idp', at: 'yesterday', digest: 'abc' } } }],
    ['an entry with an extra key', { ...valid(), attributes: { name: { source: 'idp', at: '2026-11-25T18:00:00.000Z', digest: 'abc', value: 'x' } } }],
    ['a digest with odd characters', { ...valid(), digest: 'a b' }],
    ['a violation that is not a code', { ...valid(), violations: ['<script>'] }],
    ['a violation naming an inherited key', { ...valid(), violations: ['__proto__.x'] }],
    ['violations that are not a list', { ...valid(), violations: 'name.length' }],
  ])('reports %s as corrupt', (_label, stored) => {
    expect(parseRecord(stored)).toEqual({ status: 'invalid', problem: 'corrupt' });
  });

  it('reports an oversized record', () => {
    expect(parseRecord({ ...valid(), connection: 'c'.repeat(500) })).toEqual({ status: 'invalid', problem: 'oversized' });
    expect(parseRecord({ ...valid(), violations: Array(1000).fill('name.length') })).toEqual({ status: 'invalid', problem: 'oversized' });
    expect(parseRecord({ ...valid(), violations: [`name.${'x'.repeat(100)}`] })).toEqual({ status: 'invalid', problem: 'oversized' });
  });
});
