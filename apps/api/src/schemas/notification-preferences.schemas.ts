import { MAIL_PREFERENCES } from '@execn/contracts';
import { z } from 'zod';

/** A mail preference (CONTRACT section 7). */
export const mailPreferenceSchema = z.enum(MAIL_PREFERENCES, { message: `expected one of ${MAIL_PREFERENCES.join(', ')}` });

/** `PUT /v1/notification-preferences` body: unknown fields are refused, like every body. */
export const putNotificationPreferencesBodySchema = z.strictObject({ mail: mailPreferenceSchema });
