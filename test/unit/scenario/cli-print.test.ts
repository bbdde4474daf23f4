import { describe, expect, test } from 'vitest';
import type { ApiResult, CinderRequest } from '../../../sim/cinder/api/requests.js';
import { parseCommandLine } from '../../../sim/scenario/cinderclient/parse.js';
import { clientPrinter, printResult, requestId } from '../../../sim/scenario/cinderclient/print.js';
import { pyStr } from '../../../sim/scenario/cinderclient/python-str.js';

/** The text cinderclient prints for a command line and the API's answers to its requests, in order. */
function printed(line: string, answers: readonly [CinderRequest, ApiResult][]): string {
  const parsed = parseCommandLine(line);
  if (!parsed.ok) throw new Error(parsed.error);
  const p = clientPrinter(parsed.cmd);
  const out = answers.map(([req, r], i) => p.answer(req, r, i + 1)).filter((t) => t !== '');
  const tail = p.end();
  return [...out, ...(tail ? [tail] : [])].join('\n');
}

const ok = (result: unknown): ApiResult => ({ ok: true, result });
const refused = (message: string): ApiResult => ({ ok: false, http: 400, error: 'InvalidVolume', message });
const INVALID = 'Invalid volume: Volume status must be available or error ... have snapshots ...';

describe("cinderclient's output", () => {
  test('print_list sorts rows by the first column, None shows as -', () => {
    const text = printResult('service-list', [
      { binary: 'cinder-volume', host: 'node1@lvm', zone: 'nova', status: 'enabled', state: 'up', updated_at: 't', disabled_reason: null },
      { binary: 'cinder-scheduler', host: 'controller', zone: 'nova', status: 'enabled', state: 'up', updated_at: 't', disabled_reason: null },
    ], {}, '3.0');
    const rows = text.split('\n').filter((l) => l.startsWith('| cinder-'));
    expect(rows.map((r) => r.split('|')[1]!.trim())).toEqual(['cinder-scheduler', 'cinder-volume']);
    expect(rows[0]).toMatch(/\| - +\|$/);
  });

  test('print_list compares numbers as numbers, as prettytable sorts the raw values', () => {
    const text = printResult('list', [{ id: 10 }, { id: 9 }, { id: 100 }]);
    expect(text.split('\n').filter((l) => /^\| \d/.test(l)).map((l) => l.split('|')[1]!.trim())).toEqual(['9', '10', '100']);
  });

  test.each([
    [true, 'True'],
    [false, 'False'],
    [null, 'None'],
    [['iSCSI', 'iscsi'], "['iSCSI', 'iscsi']"],
    [{ k: 'v', n: 1, b: false }, "{'k': 'v', 'n': 1, 'b': False}"],
    [["it's"], `["it's"]`],
    [[], '[]'],
    ['plain', 'plain'],
  ] as const)('print_dict shows %j as Python str(): %s', (value, shown) => {
    expect(pyStr(value)).toBe(shown);
    expect(printResult('snapshot-show', { id: 's1', value })).toContain(`| value    | ${shown} `);
  });

  test('a failed delete prints its line with HTTP code and Request-ID, then the CommandError', () => {
    const text = printed('cinder delete vol1', [[{ verb: 'delete', volume: 'vol1' }, refused(INVALID)]]);
    expect(text.split('\n')).toEqual([`Delete for volume vol1 failed: ${INVALID} (HTTP 400) (Request-ID: ${requestId(1)})`, 'ERROR: Unable to delete any of the specified volumes.']);
    expect(requestId(1)).toMatch(/^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestId(1)).toBe(requestId(1));
    expect(requestId(2)).not.toBe(requestId(1));
  });

  test('a delete of several volumes where one fails: no CommandError, the others accepted', () => {
    const text = printed('cinder delete a b', [
      [{ verb: 'delete', volume: 'a' }, ok(null)],
      [{ verb: 'delete', volume: 'b' }, refused(INVALID)],
    ]);
    expect(text.split('\n')).toEqual(['Request to delete volume a has been accepted.', `Delete for volume b failed: ${INVALID} (HTTP 400) (Request-ID: ${requestId(2)})`]);
  });

  test("a name cinderclient cannot resolve is its CommandError: no HTTP status, no Request-ID", () => {
    const notFound: ApiResult = { ok: false, http: 404, error: 'CommandError', message: "No volume with a name or ID of 'ghost' exists." };
    expect(printed('cinder delete ghost', [[{ verb: 'delete', volume: 'ghost' }, notFound]]).split('\n')).toEqual([
      "Delete for volume ghost failed: No volume with a name or ID of 'ghost' exists.",
      'ERROR: Unable to delete any of the specified volumes.',
    ]);
    expect(printed('cinder show ghost', [[{ verb: 'show', volume: 'ghost' }, notFound]])).toBe("ERROR: No volume with a name or ID of 'ghost' exists.");
  });

  test('type-key prints nothing', () => {
    expect(printed('cinder type-key sata set volume_backend_name=sata', [[{ verb: 'type-key', vtype: 'sata', action: 'set', specs: { volume_backend_name: 'sata' } }, ok({ id: 't1', name: 'sata', description: null, is_public: true, extra_specs: { volume_backend_name: 'sata' } })]])).toBe('');
  });

  test('type-create prints the type as a list table', () => {
    const text = printed('cinder type-create sata', [[{ verb: 'type-create', name: 'sata' }, ok({ id: 't1', name: 'sata', description: null, is_public: true, extra_specs: {} })]]);
    expect(text).toBe(
      ['+----+------+-------------+-----------+', '| ID | Name | Description | Is_Public |', '+----+------+-------------+-----------+', '| t1 | sata | -           | True      |', '+----+------+-------------+-----------+'].join('\n'),
    );
  });

  test('show prints metadata as key : value lines and attachments as ids and servers', () => {
    const text = printResult('show', { id: 'v1', metadata: { b: '2', a: '1' }, attachments: [{ attachment_id: 'at1', server_id: 's1' }], links: [] });
    expect(text).toContain('| metadata         | a : 1   |\n|                  | b : 2   |');
    expect(text).toContain("| attachment_ids   | ['at1'] |");
    expect(text).toContain("| attached_servers | ['s1']  |");
    expect(text).not.toContain('links');
  });

  test('get-pools without --detail is one Property | Value table per pool', () => {
    const text = printResult('get-pools', [{ name: 'n@b#p', capabilities: { free_capacity_gb: 1 } }], {});
    expect(text).toContain('| name     | n@b#p |');
    expect(text).not.toContain('free_capacity_gb');
  });
});
