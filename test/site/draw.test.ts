// The playground's axis ticks (site/src/draw.ts): round steps, enough of them, inside the range.
import { describe, expect, it } from 'vitest';
import { ticks } from '../../site/src/draw.js';

describe('playground axis ticks', () => {
  it('takes the finest 1-2-5 step that gives at most count + 1 ticks', () => {
    expect(ticks(0, 5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ticks(0.1, 5.2)).toEqual([1, 2, 3, 4, 5]);
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0, 2000)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(ticks(-10, 15)).toEqual([-10, -5, 0, 5, 10, 15]);
    expect(ticks(1.38, 1.48)).toEqual([1.38, 1.4, 1.42, 1.44, 1.46, 1.48]);
  });

  it('returns the one value of an empty range', () => {
    expect(ticks(3, 3)).toEqual([3]);
  });
});
