export {
  createRestClient,
  type ListOrdersQuery,
  type PlaceOrderRequest,
  type RestClient,
  type RestClientOptions,
} from './rest-client';
export { RestApiError, parseRetryAfter, type FieldProblem, type RestErrorCode } from './rest-api-error';
// The answer types, from the contract's schemas (the api's OpenAPI document is generated from the same).
export type {
  MailPreference,
  NotificationPreferences,
  OrderPage,
  OrderResult,
  OrderView,
  ReportPage,
} from '@execn/contracts';
