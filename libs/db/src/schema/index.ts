export * from './accounts';
export * from './instruments';
export * from './orders';
export * from './trades';
export * from './outbox-events';
export * from './notification-deliveries';
export * from './audit-events';
export * from './order-mail-summaries';
