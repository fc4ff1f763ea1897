export {
  createRestClient,
  type ListOrdersQuery,
  type PlaceOrderRequest,
  type RestClient,
  type RestClientOptions,
} from './rest-client';
export { RestApiError, parseRetryAfter, type FieldProblem, type RestErrorCode } from './rest-api-error';
