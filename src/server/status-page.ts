/**
 * The live status page: plain HTML and a little script, no external assets (works offline). It polls
 * /status.json every second and redraws the cards.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mcp-router status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; background: #f6f6f8; }
  h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
  #summary { margin-bottom: 1rem; color: #555; }
  #cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: .8rem; }
  .card { background: #fff; border-radius: 8px; padding: .8rem 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); border-left: 6px solid #888; }
  .card.ok { border-left-color: #2e9d4f; } .card.degraded { border-left-color: #e0a100; } .card.down { border-left-color: #d33; }
  .card h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
  .row { display: flex; justify-content: space-between; } .row span:first-child { color: #666; }
  .state { font-weight: 600; } .err { color: #b00; font-size: .85rem; word-break: break-word; margin-top: .3rem; }
  table { border-collapse: collapse; margin-top: 1.2rem; background: #fff; } td, th { padding: .25rem .6rem; border-bottom: 1px solid #eee; text-align: left; }
</style>
</head>
<body>
<h1>mcp-router</h1>
<div id="summary">loading…</div>
<div id="cards"></div>
<h2 style="font-size:1.05rem;margin-top:1.5rem">Routing table</h2>
<table><thead><tr><th>name</th><th>kind</th><th>backends (preferred first)</th></tr></thead><tbody id="routes"></tbody></table>
<script>
  const previous = {};
  function text(tag, cls, value) { const e = document.createElement(tag); if (cls) e.className = cls; e.textContent = value; return e; }
  function row(label, value, id) { const r = text('div', 'row', ''); r.append(text('span', '', label)); const v = text('span', 'state', value); if (id) v.dataset.field = id; r.append(v); return r; }
  function draw(doc) {
    document.getElementById('summary').textContent = (doc.ready ? 'ready: ' : 'NOT READY: ') + doc.reason + ' · default strategy ' + doc.default_strategy + ' · ' + doc.at;
    const cards = document.getElementById('cards');
    cards.replaceChildren();
    for (const b of doc.backends) {
      const p = previous[b.name];
      const rate = p ? Math.max(0, (b.requests - p.requests) / ((Date.parse(doc.at) - p.at) / 1000 || 1)) : 0;
      previous[b.name] = { requests: b.requests, at: Date.parse(doc.at) };
      const card = text('div', 'card ' + (b.circuit_state === 'OPEN' || b.connection_state !== 'connected' ? 'down' : b.healthy && b.circuit_state === 'CLOSED' ? 'ok' : 'degraded'), '');
      card.dataset.backend = b.name;
      card.append(text('h2', '', b.name));
      card.append(row('connection', b.connection_state, 'connection'));
      card.append(row('health', b.health_state, 'health'));
      card.append(row('circuit', b.circuit_state, 'circuit'));
      card.append(row('requests/s', rate.toFixed(1), 'rate'));
      card.append(row('latency', b.latency_ms === null ? '–' : b.latency_ms + ' ms', 'latency'));
      card.append(row('errors', String(b.error_count), 'errors'));
      if (b.last_error) card.append(text('div', 'err', 'last error: ' + b.last_error));
      cards.append(card);
    }
    const routes = document.getElementById('routes');
    routes.replaceChildren();
    for (const r of doc.routes) { const tr = document.createElement('tr'); tr.append(text('td', '', r.name), text('td', '', r.kind), text('td', '', r.backends.join(' → '))); routes.append(tr); }
  }
  async function poll() {
    try { const res = await fetch('status.json', { cache: 'no-store' }); draw(await res.json()); }
    catch (e) { document.getElementById('summary').textContent = 'router unreachable: ' + e; }
    setTimeout(poll, 1000);
  }
  poll();
</script>
</body>
</html>
`;
