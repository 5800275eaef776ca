import { describe, expect, it } from 'vitest';
import { ApiError, type Problem } from './api.js';
import { describeError } from './app.js';
import { translator } from './i18n.js';
import { en } from './i18n/en.js';
import { es } from './i18n/es.js';
import { sv } from './i18n/sv.js';
import { describeIssue, type Issue } from './issue-words.js';

// Issues as the hub sends them (device/src/http/app.ts issueOf; device/src/http/api.test.ts checks the shape on a real request).
const tooLong: Issue = {
  path: 'memo',
  message: 'Too big: expected string to have <=280 characters',
  code: 'too_big',
  maximum: 280,
  origin: 'string',
  inclusive: true,
};
const missing: Issue = { path: 'amount', message: 'Invalid input: expected number, received undefined', code: 'invalid_type', expected: 'number' };
const notWhole: Issue = { path: 'hours', message: 'Invalid input: expected int, received number', code: 'invalid_type', expected: 'int' };
const email: Issue = { path: 'email', message: 'Invalid email address', code: 'invalid_format', format: 'email' };
const few: Issue = { path: 'kinds', message: 'Too small: expected array to have >=1 items', code: 'too_small', minimum: 1, origin: 'array', inclusive: true };
const nested: Issue = { path: 'keys.p256dh', message: 'a P-256 public key, base64url', code: 'invalid_format', format: 'regex' };

describe("a refusal of bad input names the field and the reason, in the member's language", () => {
  it('says each kind of issue in English, Swedish and Spanish', () => {
    const [E, S, X] = [translator('en', en), translator('sv', sv), translator('es', es)];
    expect(describeIssue(E, tooLong)).toBe('What for: at most 280 characters.');
    expect(describeIssue(S, tooLong)).toBe('Vad det gäller: högst 280 tecken.');
    expect(describeIssue(X, tooLong)).toBe('Concepto: como mucho 280 caracteres.');
    expect(describeIssue(E, missing)).toBe('Amount is missing.');
    expect(describeIssue(S, notWhole)).toBe('Timmar måste vara ett heltal.');
    expect(describeIssue(E, email)).toBe('Email is not an email address.');
    expect(describeIssue(E, few)).toBe('kinds: choose at least 1.');
    expect(describeIssue(E, nested)).toBe('keys.p256dh is not in the right form.');
  });

  it('is what a validation problem says, instead of "please check what you entered"', () => {
    const problem = {
      type: 'urn:hyphae:problem:validation',
      title: 'Invalid input',
      status: 400,
      reason: 'validation',
      detail: 'memo: Too big',
      issues: [tooLong],
    } as Problem;
    expect(describeError(translator('sv', sv), new ApiError(problem))).toBe('Vad det gäller: högst 280 tecken.');
    const withoutIssues = { ...problem, issues: undefined } as Problem;
    expect(describeError(translator('en', en), new ApiError(withoutIssues))).toBe(en.err_validation);
  });
});
