import { latestDailyCutoff } from './find-due-summaries';

describe('latestDailyCutoff', () => {
  it('is today at HH:MM UTC once passed, else yesterday', () => {
    expect(latestDailyCutoff(new Date('2026-11-28T23:00:00Z'), '22:00').toISOString()).toBe('2026-11-28T22:00:00.000Z');
    expect(latestDailyCutoff(new Date('2026-11-28T22:00:00Z'), '22:00').toISOString()).toBe('2026-11-28T22:00:00.000Z');
    expect(latestDailyCutoff(new Date('2026-11-28T21:59:59Z'), '22:00').toISOString()).toBe('2026-11-27T22:00:00.000Z');
    expect(latestDailyCutoff(new Date('2026-01-01T00:10:00Z'), '00:30').toISOString()).toBe('2025-12-31T00:30:00.000Z');
  });
});
