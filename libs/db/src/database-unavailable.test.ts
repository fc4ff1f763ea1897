import { isDatabaseUnavailable } from './database-unavailable';

describe('isDatabaseUnavailable', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT', '57P01', '57P02', '57P03', '08006', '08001', '53300'])(
    '%s is unavailable',
    (code) => expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code }))).toBe(true),
  );

  it.each(['23505', '40001', '42P01', '57014', 'ERR_SOMETHING', undefined])('%s is not', (code) => {
    expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code }))).toBe(false);
  });

  it('is false for non-errors', () => {
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
