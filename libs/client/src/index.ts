/**
 * `@execn/client`: the trader SDK over socket.io-client, for Node and the
 * browser. See `connectTrader`.
 */
export {
  connectTrader,
  type ConnectionStatus,
  type SubscriptionAck,
  type TraderConnection,
  type TraderConnectionOptions,
} from './connect-trader';
export { ReportSequencer, type SeqGap } from './report-sequencer';
export type { ReplayHorizonEvent } from './replay-horizon';
export { ReconnectPolicy, type ReconnectPolicyOptions, type ReconnectStep } from './reconnect-policy';
// The trader's REST calls (its own files, beside the socket SDK).
export * from './rest';
