import { messageIdHost, reportMessageId } from './message-id';
import { describeSmtpError, isPermanentSmtpError } from './smtp-error';

describe('mail headers and SMTP errors', () => {
  it('builds the Message-ID from the event, the generation and the sender domain', () => {
    expect(reportMessageId('42', 3, 'Executions <executions@broker.example>')).toBe('<42.3@broker.example>');
    expect(messageIdHost('not an address')).toBe('exec-notify');
  });

  it('treats 5xx as permanent, 4xx and connection errors as transient', () => {
    expect(isPermanentSmtpError({ responseCode: 550 })).toBe(true);
    expect(isPermanentSmtpError({ responseCode: 451 })).toBe(false);
    expect(isPermanentSmtpError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' }))).toBe(false);
    expect(describeSmtpError(Object.assign(new Error('Greylisted'), { responseCode: 451 }))).toBe('451 Greylisted');
  });
});
