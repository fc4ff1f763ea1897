import { withDeadline } from './with-deadline';

const never = () => new Promise<never>(() => undefined);

describe('withDeadline', () => {
  it("is the promise's value when it settles first", async () => {
    await expect(withDeadline(Promise.resolve('done'), 1_000, () => 'late')).resolves.toBe('done');
  });

  it("is the promise's rejection when it rejects first", async () => {
    await expect(withDeadline(Promise.reject(new Error('boom')), 1_000, () => 'late')).rejects.toThrow('boom');
  });

  it("is late()'s value past the deadline", async () => {
    await expect(withDeadline(never(), 10, () => false)).resolves.toBe(false);
  });

  it("rejects with what late() throws past the deadline", async () => {
    await expect(
      withDeadline(never(), 10, () => {
        throw new Error('did not answer within 10 ms');
      }),
    ).rejects.toThrow('did not answer within 10 ms');
  });

  it('does not call late() when the promise settled in time', async () => {
    const late = jest.fn(() => 'late');
    await withDeadline(Promise.resolve('done'), 10, late);
    await new Promise((r) => setTimeout(r, 30));
    expect(late).not.toHaveBeenCalled();
  });
});
