/**
 * The trader page's HTML: one static document, styled inline, with every
 * dynamic part filled by `page.js` through textContent (never innerHTML with
 * data). `data-testid` attributes are what the browser test drives.
 */
export const TRADER_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Executions: trader</title>
<style>
  :root { font: 14px/1.4 system-ui, sans-serif; color: #1d2330; background: #f5f6f8; }
  body { margin: 0 auto; max-width: 1100px; padding: 12px 16px; }
  h1 { font-size: 18px; margin: 0 0 8px; display: flex; align-items: center; gap: 12px; }
  section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 10px 12px; margin-bottom: 12px; }
  h2 { font-size: 14px; margin: 0 0 8px; }
  label { display: inline-flex; flex-direction: column; font-size: 12px; color: #556; margin-right: 8px; }
  input, select, button, textarea { font: inherit; padding: 4px 6px; }
  textarea { width: 100%; box-sizing: border-box; height: 3.2em; font-family: ui-monospace, monospace; font-size: 12px; }
  button { cursor: pointer; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef0f3; white-space: nowrap; }
  th { font-size: 12px; color: #667; font-weight: 600; }
  .status { display: inline-flex; align-items: center; gap: 6px; font-size: 13px; font-weight: normal; }
  .dot { width: 10px; height: 10px; border-radius: 50%; background: #aab; }
  .status[data-state=live] .dot { background: #1a9c4b; }
  .status[data-state=resuming] .dot, .status[data-state=connecting] .dot, .status[data-state=reconnecting] .dot { background: #e0a100; }
  .status[data-state=unauthorized] .dot, .status[data-state=closed] .dot { background: #c62828; }
  .st-filled { color: #1a7f3c; font-weight: 600; } .st-partially_filled { color: #9a6a00; }
  .st-cancelled, .st-rejected { color: #9a2c2c; }
  .buy { color: #1a5fb4; } .sell { color: #b4371a; }
  #feed { max-height: 240px; overflow: auto; font-family: ui-monospace, monospace; font-size: 12px; margin: 0; padding: 0; list-style: none; }
  #feed li { padding: 1px 0; border-bottom: 1px dotted #eee; }
  .message { min-height: 1.4em; font-size: 13px; } .message.error { color: #b00020; }
  .muted { color: #889; font-size: 12px; }
  .session { display: flex; gap: 16px; align-items: baseline; font-size: 12px; color: #556; margin: 0 0 8px; }
  .note { background: #eef6ff; border: 1px solid #b9d6f5; border-radius: 4px; padding: 4px 8px; font-size: 13px; margin-bottom: 12px; }
  #feed .time { color: #556; } #feed .delay { color: #1a7f3c; } #feed .delay.replayed, #feed .delay.history { color: #889; }
  #toasts { position: fixed; right: 16px; bottom: 16px; display: flex; flex-direction: column; gap: 8px; z-index: 10; }
  .toast { background: #1d2330; color: #fff; border-radius: 6px; padding: 8px 12px; box-shadow: 0 4px 14px rgba(0,0,0,.25); font-size: 13px; }
  .toast strong { color: #7ee2a0; }
</style>
</head>
<body>
<h1>Executions <span class="status" data-testid="connection" data-state="closed"><span class="dot"></span><span data-testid="connection-text">not connected</span></span></h1>
<div class="session"><span data-testid="last-seq">last seq -</span></div>
<div class="note" data-testid="resume-note" hidden></div>

<section>
  <h2>Token</h2>
  <div id="dev-tokens" hidden><label>Dev token <select data-testid="dev-token"><option value="">(choose)</option></select></label></div>
  <textarea data-testid="token" placeholder="Paste a trader JWT (npm run token -- --account acc-1)"></textarea>
  <button data-testid="connect">Connect</button> <span class="muted" data-testid="account"></span>
</section>

<section>
  <h2>Notifications</h2>
  <label>Mail <select data-testid="mail-preference" disabled>
    <option value="every_report">every report</option>
    <option value="order_summary">one summary per order</option>
    <option value="none">no mail</option>
  </select></label>
  <span class="muted" data-testid="mail-preference-status">connect to see it</span>
</section>

<section>
  <h2>New order</h2>
  <form data-testid="order-form" autocomplete="off">
    <label>Symbol <input name="symbol" required pattern="[A-Z0-9.\\-]{1,16}" value="AAPL" size="8"></label>
    <label>Side <select name="side"><option>buy</option><option>sell</option></select></label>
    <label>Type <select name="type"><option>limit</option><option>market</option></select></label>
    <label>Qty <input name="quantity" type="number" min="1" step="1" value="100" required size="6"></label>
    <label>Price <input name="price" inputmode="decimal" value="100" size="8"></label>
    <label>TIF <select name="timeInForce"><option>GTC</option><option>IOC</option></select></label>
    <label>Client order id <input name="clientOrderId" size="10"></label>
    <button type="submit" data-testid="place">Place</button>
  </form>
  <div class="message" data-testid="message"></div>
</section>

<section>
  <h2>Orders</h2>
  <table>
    <thead><tr><th>Order</th><th>Symbol</th><th>Side</th><th>Type</th><th>Price</th><th>Qty</th><th>TIF</th><th>Status</th><th>Cum</th><th>Leaves</th><th>Avg px</th><th></th></tr></thead>
    <tbody data-testid="blotter"></tbody>
  </table>
</section>

<section>
  <h2>Execution reports <span class="muted">(executed at, then how long it took to reach this page)</span></h2>
  <ul id="feed" data-testid="feed"></ul>
</section>
<div id="toasts" data-testid="toasts" aria-live="polite"></div>
<script src="page.js" defer></script>
</body>
</html>
`;
