import { RestApiError, type RestClient } from '@execn/client';
import { MAIL_PREFERENCES, type MailPreference } from '@execn/contracts';

const isMailPreference = (v: string): v is MailPreference => (MAIL_PREFERENCES as readonly string[]).includes(v);

/**
 * The mail preference switch (`GET/PUT /v1/notification-preferences`): loaded
 * on connect, saved on change. The select stays disabled until the api has
 * answered, and goes back to the saved value when a change is refused.
 */
export class MailPreferenceSwitch {
  private saved: MailPreference | undefined;
  private rest: RestClient | undefined;

  constructor(
    private readonly select: HTMLSelectElement,
    private readonly status: HTMLElement,
  ) {
    select.addEventListener('change', () => void this.save(select.value));
  }

  /** Reads the account's preference with a new client (a new token). */
  async load(rest: RestClient): Promise<void> {
    this.rest = rest;
    this.select.disabled = true;
    this.say('loading…');
    try {
      const { mail } = await rest.getNotificationPreferences();
      if (this.rest !== rest) return;
      this.show(mail);
      this.say('');
    } catch (err) {
      if (this.rest === rest) this.say(`unavailable: ${describe(err)}`);
    }
  }

  private async save(value: string): Promise<void> {
    const rest = this.rest;
    if (!rest || !isMailPreference(value)) return;
    this.select.disabled = true;
    this.say('saving…');
    try {
      const { mail } = await rest.setNotificationPreferences({ mail: value });
      this.show(mail);
      this.say('saved: applies to reports from now on');
    } catch (err) {
      if (this.saved) this.show(this.saved);
      this.say(`not saved: ${describe(err)}`);
    }
  }

  private show(mail: MailPreference): void {
    this.saved = mail;
    this.select.value = mail;
    this.select.disabled = false;
    this.select.dataset.saved = mail;
  }

  private say(text: string): void {
    this.status.textContent = text;
  }
}

function describe(err: unknown): string {
  return err instanceof RestApiError ? `${err.code} (${err.status})` : err instanceof Error ? err.message : String(err);
}
