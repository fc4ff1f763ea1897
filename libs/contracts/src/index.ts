export * from './execution-report';
export * from './order';
export * from './api-error';
export * from './domain-error';
export * from './int8-decimal';
export * from './socket-events';
export * from './notification-preferences';
