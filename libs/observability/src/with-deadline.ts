/**
 * `promise`'s outcome, or `late()`'s once `ms` have passed without one: its
 * return value, or what it throws as the rejection. The timer is cleared
 * either way and never keeps the process alive; a rejection of `promise`
 * after the deadline is swallowed (the race's loser must not surface as an
 * unhandled rejection).
 */
export function withDeadline<T, L = T>(promise: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (err) {
        reject(err);
      }
    }, ms);
    timer.unref();
  });
  promise.catch(() => undefined);
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
