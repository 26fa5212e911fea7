// Only top-level tests: the JUnit reporter writes no <testsuite> at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('one', () => assert.equal(1, 1));
test('two', () => assert.equal(2, 2));
test('three', { skip: true }, () => {});
