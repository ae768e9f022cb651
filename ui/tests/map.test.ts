import { describe, expect, it } from 'vitest';
import { whenFelt } from '../src/lib/map';

describe('whenFelt', () => {
  it('words a lag in hours, days or weeks', () => {
    expect(whenFelt(0)).toBe('felt at once');
    expect(whenFelt(1)).toBe('felt after 1 hour');
    expect(whenFelt(24)).toBe('felt after 24 hours');
    expect(whenFelt(72)).toBe('felt after 3 days');
    expect(whenFelt(168)).toBe('felt after 1 week');
    expect(whenFelt(336)).toBe('felt after 2 weeks');
    expect(whenFelt(60)).toBe('felt after 2.5 days');
  });
});
