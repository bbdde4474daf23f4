import { describe, expect, test } from 'vitest';
import { parseIni, splitKeyValue } from '../../../sim/cinder/config/ini.js';

const parse = (text: string) => parseIni({ path: 'c.conf', text });

describe('oslo.config INI dialect', () => {
  test.each([
    ['key = value', { key: 'key', value: 'value' }],
    ['key: value', { key: 'key', value: 'value' }],
    ['key=a:b', { key: 'key', value: 'a:b' }],
    ['url: http://x=y', { key: 'url', value: 'http://x=y' }],
    ['k = "quoted"', { key: 'k', value: 'quoted' }],
    ["k = 'q'", { key: 'k', value: 'q' }],
    ['k = "half', { key: 'k', value: '"half' }],
    ['k = v # not a comment', { key: 'k', value: 'v # not a comment' }],
    ['k =', { key: 'k', value: '' }],
  ])('%s', (line, expected) => {
    expect(splitKeyValue(line)).toEqual(expected);
  });

  test('continuation lines join with newlines and a blank line ends them', () => {
    const p = parse('[DEFAULT]\nk = a\n  b\n\t# still value\n\nj = c\n');
    expect(p.assignments.map((a) => [a.key, a.value, a.line])).toEqual([
      ['k', 'a\nb\n# still value', 2],
      ['j', 'c', 6],
    ]);
    expect(p.errors).toEqual([]);
  });

  test('comments only at line start; section names kept verbatim', () => {
    const p = parse('# c\n; c\n[ Odd ]\nk=v\n');
    expect(p.sections.map((s) => s.name)).toEqual([' Odd ']);
    expect(p.assignments[0]).toMatchObject({ section: ' Odd ', key: 'k', value: 'v' });
  });

  test.each([
    ['k = v\n', 1, 'Section must be started before assignment'],
    ['[DEFAULT\n', 1, 'Invalid section (must end with ])'],
    ['[]\n', 1, 'Empty section name'],
    ['[DEFAULT]\njust words\n', 2, "No ':' or '=' found in assignment"],
    ['[DEFAULT]\n= v\n', 2, 'Key cannot be empty'],
    ['[DEFAULT]\n  indented\n', 2, 'Unexpected continuation line'],
  ])('refuses %j at line %i', (text, line, message) => {
    expect(parse(text).errors).toEqual([expect.objectContaining({ file: 'c.conf', line, message })]);
  });

  test('a comment after a section header breaks the header', () => {
    expect(parse('[lvm] # backend\n').errors.map((e) => e.message)).toEqual(['Invalid section (must end with ])']);
  });

  test('a continuation after a comment or a header continues nothing', () => {
    expect(parse('[DEFAULT]\n# c\n  x\n').errors.map((e) => [e.line, e.message])).toEqual([[3, 'Unexpected continuation line']]);
  });

  test('a UTF-8 byte order mark makes the first header a broken assignment, as in Python', () => {
    expect(parse('\ufeff[DEFAULT]\nk = v\n').errors.map((e) => [e.line, e.message])).toEqual([[1, "No ':' or '=' found in assignment"], [2, 'Section must be started before assignment']]);
  });

  test('reports every broken line, not only the first', () => {
    expect(parse('[DEFAULT]\nbad\nworse\nk = v\n').errors.map((e) => e.line)).toEqual([2, 3]);
  });

  test('CRLF files parse like LF files', () => {
    expect(parse('[DEFAULT]\r\nk = v\r\n').assignments[0]).toMatchObject({ key: 'k', value: 'v' });
  });
});
