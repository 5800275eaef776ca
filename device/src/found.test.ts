import { describe, expect, it } from 'vitest';
import { found, HubError } from './errors.js';

describe('found', () => {
  it('hands back what exists, falsy values included, and turns nothing into a 404 that names it', () => {
    expect(found({ id: 'l_1' }, 'loan l_1')).toEqual({ id: 'l_1' });
    expect(found(0, 'a count')).toBe(0);
    expect(found('', 'a note')).toBe('');
    for (const nothing of [undefined, null]) {
      try {
        found(nothing, 'loan l_2');
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(HubError);
        expect((e as HubError).status).toBe(404);
        expect((e as HubError).toProblem()).toMatchObject({ detail: 'loan l_2 does not exist' });
      }
    }
  });
});
