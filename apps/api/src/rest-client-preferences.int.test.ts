import { createRestClient, RestApiError, type MailPreference } from '@execn/client';
import { startApiHarness, type ApiHarness } from './test-support/api-harness';

/**
 * `@execn/client`'s notification preference methods against the real api
 * (`GET/PUT /v1/notification-preferences {mail}`, CONTRACT sections 5 and 7).
 */
describe('createRestClient: notification preferences', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApiHarness();
  });
  afterAll(async () => api?.close());

  it('reads the default, saves a change for this account only, and refuses an unknown value naming the field', async () => {
    const [aliceToken, bobToken] = await api.traders('np-alice', 'np-bob');
    const alice = createRestClient({ baseUrl: api.url, token: aliceToken! });
    const bob = createRestClient({ baseUrl: api.url, token: bobToken! });

    expect(await alice.getNotificationPreferences()).toEqual({ mail: 'every_report' });
    expect(await alice.setNotificationPreferences({ mail: 'order_summary' })).toEqual({ mail: 'order_summary' });
    expect(await alice.getNotificationPreferences()).toEqual({ mail: 'order_summary' });
    expect(await bob.getNotificationPreferences()).toEqual({ mail: 'every_report' });

    const err = await alice.setNotificationPreferences({ mail: 'weekly' as MailPreference }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestApiError);
    expect(err).toMatchObject({ status: 400, code: 'validation_error' });
    expect((err as RestApiError).fields.map((f) => f.field)).toEqual(['mail']);
    expect(await alice.getNotificationPreferences()).toEqual({ mail: 'order_summary' });
  });
});
