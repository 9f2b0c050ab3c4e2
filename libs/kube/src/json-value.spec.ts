import { echo, isJsonObject, jsonTypeOf, ownField, sortedStringMap } from './json-value';

describe('json-value helpers', () => {
  it('isJsonObject accepts objects only', () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject(Object.create(null))).toBe(true);
    expect(isJsonObject([])).toBe(false);
    expect(isJsonObject(null)).toBe(false);
    expect(isJsonObject('x')).toBe(false);
  });

  it('ownField never reads inherited properties', () => {
    const child = Object.create({ inherited: 1 }) as Record<string, unknown>;
    child['own'] = 2;
    expect(ownField(child, 'own')).toBe(2);
    expect(ownField(child, 'inherited')).toBeUndefined();
    expect(ownField({}, 'toString')).toBeUndefined();
    expect(ownField({}, '__proto__')).toBeUndefined();
    expect(ownField(JSON.parse('{"__proto__": 5}') as Record<string, unknown>, '__proto__')).toBe(5);
  });

  it('jsonTypeOf names JSON types', () => {
    expect([null, [], {}, 'a', 1, true, undefined].map(jsonTypeOf)).toEqual([
      'null',
      'array',
      'object',
      'string',
      'number',
      'boolean',
      'undefined',
    ]);
  });

  it('echo quotes short strings and cuts long ones at 64 characters', () => {
    expect(echo('abc')).toBe('"abc"');
    expect(echo(42)).toBe('number');
    expect(echo('y'.repeat(64))).toBe(`"${'y'.repeat(64)}"`);
    expect(echo('y'.repeat(65))).toBe(`"${'y'.repeat(64)}"…`);
  });

  it('echo does not split a surrogate pair', () => {
    const text = 'a'.repeat(63) + '😀' + 'tail';
    expect(echo(text)).toBe(`"${'a'.repeat(63)}"…`);
  });

  it('sortedStringMap sorts keys and drops empty maps', () => {
    expect(JSON.stringify(sortedStringMap({ b: '2', a: '1' }))).toBe('{"a":"1","b":"2"}');
    expect(sortedStringMap({})).toBeUndefined();
    expect(sortedStringMap(undefined)).toBeUndefined();
  });
});
