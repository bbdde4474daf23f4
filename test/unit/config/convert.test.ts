import { describe, expect, test } from 'vitest';
import { convertValue, splitList } from '../../../sim/cinder/config/convert.js';
import { backendGroupOptions, defaultGroupOptions } from '../../../sim/cinder/config/options.js';

describe('oslo.config value types', () => {
  test.each([
    ['true', true], ['True', true], ['YES', true], ['on', true], ['1', true],
    ['false', false], ['False', false], ['no', false], ['Off', false], ['0', false],
  ])('BoolOpt %j -> %j', (raw, value) => {
    expect(convertValue(defaultGroupOptions.snapshot_same_host, raw)).toEqual({ ok: true, value });
  });

  test.each(['maybe', 'y', '2', ''])('BoolOpt refuses %j', (raw) => {
    expect(convertValue(defaultGroupOptions.snapshot_same_host, raw)).toMatchObject({ ok: false, choices: ['true', '1', 'on', 'yes', 'false', '0', 'off', 'no'] });
  });

  test.each([
    ['10', 10], [' 10 ', 10], ['+7', 7], ['-1', -1], ['1_000', 1000],
  ])('IntOpt %j -> %j', (raw, value) => {
    expect(convertValue(defaultGroupOptions.report_interval, raw)).toEqual({ ok: true, value });
  });

  test.each(['1.5', '10s', 'ten', '0x10'])('IntOpt refuses %j', (raw) => {
    expect(convertValue(defaultGroupOptions.report_interval, raw)).toMatchObject({ ok: false });
  });

  test('an empty number is None to oslo, flagged so the caller can say so', () => {
    expect(convertValue(defaultGroupOptions.report_interval, '')).toEqual({ ok: true, value: null, emptyNumber: true });
  });

  test.each([
    [defaultGroupOptions.backend_stats_polling_interval, '2', 'Should be greater than or equal to 3'],
    [backendGroupOptions.reserved_percentage, '101', 'Should be less than or equal to 100'],
    [backendGroupOptions.reserved_percentage, '-1', 'Should be greater than or equal to 0'],
    [backendGroupOptions.target_port, '70000', 'Should be less than or equal to 65535'],
  ])('bounds: %#', (spec, raw, message) => {
    expect(convertValue(spec, raw)).toEqual({ ok: false, message });
  });

  test.each([['1.5', 1.5], ['-1', -1], ['2', 2], ['.5', 0.5], ['1e2', 100]])('FloatOpt %j -> %j', (raw, value) => {
    expect(convertValue(defaultGroupOptions.capacity_weight_multiplier, raw)).toEqual({ ok: true, value });
  });

  test.each(['20.0', '1', '.5', 'auto'])('max_over_subscription_ratio accepts %j', (raw) => {
    expect(convertValue(backendGroupOptions.max_over_subscription_ratio, raw)).toEqual({ ok: true, value: raw });
  });

  test.each(['Auto', '-1', '2x', '1.'])('max_over_subscription_ratio refuses %j (Cinder\'s regex)', (raw) => {
    expect(convertValue(backendGroupOptions.max_over_subscription_ratio, raw)).toMatchObject({ ok: false });
  });

  test('StrOpt choices are case-sensitive and listed in the error', () => {
    expect(convertValue(backendGroupOptions.lvm_type, 'Thin')).toEqual({ ok: false, message: "Valid values are [default, thin, auto], but found 'Thin'", choices: ['default', 'thin', 'auto'] });
  });

  test.each([
    ['a,b', ['a', 'b']],
    [' a , b ', ['a', 'b']],
    ['a,b,', ['a', 'b']],
    ['a,,b', ['a', '', 'b']],
    ['', []],
    [',', []],
  ])('ListOpt %j', (raw, items) => {
    expect(splitList(raw)).toEqual(items);
  });
});
