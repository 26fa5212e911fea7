// Top-level tests and suites, passing, failing, skipped and todo, so the
// JUnit reporter writes test cases both under <testsuites> and in suites.
import { test, describe, it } from 'node:test';
import assert from 'node:assert/strict';

const div = (a, b) => Math.ceil(a / b); // the bug the tests find

test('adds', () => assert.equal(1 + 2, 3));
test('divides', () => assert.equal(div(7, 2), 3));
test('throws', () => { throw new Error('database unreachable'); });
test('skipped', { skip: 'not on this platform' }, () => {});
test('todo', { todo: 'write it' }, () => {});
test('async rejection', async () => { await Promise.reject(new TypeError('bad input')); });

describe('division', () => {
  it('exact', () => assert.equal(div(6, 2), 3));
  it('rounds down', () => assert.equal(div(7, 2), 3));
  describe('by zero', () => {
    it('is infinite', () => assert.equal(div(1, 0), Infinity));
    it('negative is negative infinity', () => assert.equal(div(-1, 0), Infinity));
  });
});

test('with subtests', async (t) => {
  await t.test('first', () => {});
  await t.test('second', () => assert.ok(false, 'second went wrong'));
});
