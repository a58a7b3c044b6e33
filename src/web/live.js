// The Live Events page (live.html); served as /live/app.js under a policy without inline scripts.
'use strict';
(() => {
  const TOKEN_KEY = 'signal-live-token';
  const MAX_ROWS = 500;
  const $ = (id) => document.getElementById(id);
  const tokenForm = $('token-form');
  const conn = $('conn');
  const tbody = $('rows');
  const detail = $('detail');
  const filters = { integration_id: $('f-integration'), status: $('f-status'), event_type: $('f-type') };

  const rows = new Map(); // "workflow_id run_id" -> { data, tr }, ordered newest first in the table
  const integrationNames = new Map();
  let source = null;
  let retryTimer = null;
  let backoffMs = 1000;
  let selectedKey = null;
  let detailSeq = 0; // only the latest detail request may render

  // ---- small DOM helpers: every value goes in through textContent, so nothing from an event becomes markup ----
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const json = (value) => el('pre', { text: JSON.stringify(value, null, 2) });
  const keyOf = (d) => d.workflow_id + ' ' + d.run_id;
  const trKey = (tr) => tr.dataset.workflowId + ' ' + tr.dataset.runId;
  const statusLabel = (status) => status.replaceAll('_', ' ');
  // Today's deliveries by time alone; older ones with their day.
  function fmtTime(iso) {
    if (!iso) return '';
    const at = new Date(iso);
    const time = at.toLocaleTimeString([], { hour12: false });
    return at.toDateString() === new Date().toDateString() ? time : at.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + time;
  }
  const httpClass = (s) => (s >= 200 && s < 300 ? 'h-ok' : s >= 500 || s === 429 || s === 408 ? 'h-warn' : 'h-bad');
  // Timeline waits come as "3600000 ms"; people read "1 h".
  function readableMs(text) {
    const m = /^(\d+) ms$/.exec(text);
    if (!m) return text;
    const ms = Number(m[1]);
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return +(ms / 1000).toFixed(1) + ' s';
    if (ms < 3600000) return +(ms / 60000).toFixed(1) + ' min';
    return +(ms / 3600000).toFixed(1) + ' h';
  }
  // The UI link comes from the server's config; still, only an http(s) URL may become an href.
  const safeHref = (url) => (/^https?:\/\//i.test(url || '') ? url : null);

  // ---- token: sessionStorage only, never shown ----
  function takeTokenFromHash() {
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (!m) return;
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    // Out of the address bar and the history entry, so it is not bookmarked or shared by accident.
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = () => sessionStorage.getItem(TOKEN_KEY);

  function askForToken(message) {
    disconnect();
    sessionStorage.removeItem(TOKEN_KEY);
    setConn('idle', 'Not connected');
    $('app').hidden = true;
    $('forget').hidden = true;
    tokenForm.hidden = false;
    $('token-error').textContent = message || '';
    tokenForm.elements.token.focus();
  }

  tokenForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const input = tokenForm.elements.token;
    const value = input.value.trim();
    input.value = '';
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    start();
  });
  $('forget').addEventListener('click', () => askForToken(''));

  // ---- admin API calls (Authorization header) ----
  class Unauthorized extends Error {}
  async function api(path) {
    const res = await fetch(path, { headers: { authorization: 'Bearer ' + token(), accept: 'application/json' } });
    if (res.status === 401) throw new Unauthorized();
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error((body && body.error && body.error.message) || 'HTTP ' + res.status);
    return body;
  }
  const rejected = () => askForToken('That token was not accepted (401): enter a valid admin API token.');

  async function loadIntegrations() {
    const { data } = await api('/v1/admin/integrations?limit=100');
    integrationNames.clear();
    const select = filters.integration_id;
    const chosen = select.value;
    select.replaceChildren(el('option', { value: '', text: 'All integrations' }));
    for (const i of data) {
      integrationNames.set(i.id, i.name);
      select.append(el('option', { value: i.id, text: i.name }));
    }
    select.value = chosen;
    showCircuits(data);
    for (const { data: d, tr } of rows.values()) fillRow(tr, d);
  }

  // An integration whose circuit is open: its deliveries wait (no attempts spent) while one probe goes out at a time.
  function showCircuits(integrations) {
    const box = $('circuits');
    const open = integrations.filter((i) => i.circuit && i.circuit.state !== 'closed');
    box.hidden = open.length === 0;
    box.replaceChildren(
      ...open.map((i) => {
        const probes = i.circuit.workers.map((w) => w.next_probe_at).filter(Boolean).sort();
        const next = probes.length ? ', next probe ' + new Date(probes[0]).toLocaleTimeString() : '';
        return el('div', {
          class: 'circuit',
          'data-integration-id': i.id,
          text: 'Circuit ' + i.circuit.state + ' for ' + i.name + ': Customer.io keeps failing; deliveries wait' + next,
        });
      }),
    );
  }
  // The circuits change without a delivery event to say so: look again every 15 s.
  setInterval(() => {
    if (!$('app').hidden) loadIntegrations().catch((err) => err instanceof Unauthorized && rejected());
  }, 15000);

  // A row from an integration installed after the page loaded: fetch the names again, at most every 10 s.
  let namesFetchedAt = 0;
  function refreshNames() {
    if (Date.now() - namesFetchedAt < 10000) return;
    namesFetchedAt = Date.now();
    loadIntegrations().catch((err) => err instanceof Unauthorized && rejected());
  }

  // ---- the stream ----
  function setConn(state, text) {
    conn.dataset.state = state;
    conn.textContent = text;
  }

  function disconnect() {
    if (source) source.close();
    source = null;
    clearTimeout(retryTimer);
    retryTimer = null;
  }

  function connect() {
    disconnect();
    const q = new URLSearchParams({ token: token() });
    // Only the filters that are set: the API rejects empty values.
    for (const [name, select] of Object.entries(filters)) if (select.value) q.set(name, select.value);
    setConn('connecting', 'Connecting…');
    const es = new EventSource('/v1/admin/live-events?' + q);
    source = es;
    es.addEventListener('open', () => {
      backoffMs = 1000;
      setConn('live', 'Live');
    });
    es.addEventListener('snapshot', (e) => upsert(JSON.parse(e.data), false));
    es.addEventListener('deliveries', (e) => upsert(JSON.parse(e.data), true));
    es.addEventListener('error', () => {
      if (source !== es) return;
      // EventSource hides the HTTP status; close it, ask the API whether the token is the problem, else retry.
      disconnect();
      setConn('down', 'Disconnected, checking…');
      api('/v1/admin/integrations?limit=1').then(
        () => scheduleReconnect(),
        (err) => (err instanceof Unauthorized ? rejected() : scheduleReconnect()),
      );
    });
  }

  function scheduleReconnect() {
    const wait = backoffMs * (0.8 + Math.random() * 0.4);
    backoffMs = Math.min(backoffMs * 2, 30000);
    setConn('down', 'Reconnecting in ' + Math.ceil(wait / 1000) + ' s');
    retryTimer = setTimeout(connect, wait);
  }

  // ---- the table ----
  function upsert(list, flash) {
    for (const d of list) {
      const key = keyOf(d);
      const known = rows.get(key);
      if (d.integration_id && !integrationNames.has(d.integration_id)) refreshNames();
      if (known) {
        known.data = d;
        fillRow(known.tr, d);
        if (flash) highlight(known.tr);
        if (key === selectedKey) showDetail(d); // the open delivery moved on: show its new state
        continue;
      }
      const tr = el('tr', { 'data-workflow-id': d.workflow_id, 'data-run-id': d.run_id, tabindex: '0' });
      fillRow(tr, d);
      rows.set(key, { data: d, tr });
      insertSorted(tr, d.started_at);
      if (flash) highlight(tr);
    }
    trim();
    $('empty').hidden = rows.size > 0;
    $('count').textContent = rows.size + (rows.size === 1 ? ' delivery' : ' deliveries');
  }

  // Newest started_at on top; a run's start time never changes, so only new rows need placing (usually first).
  function insertSorted(tr, startedAt) {
    let next = tbody.firstElementChild;
    while (next && rowStart(next) >= startedAt) next = next.nextElementSibling;
    tbody.insertBefore(tr, next);
  }
  const rowStart = (tr) => rows.get(trKey(tr))?.data.started_at ?? '';

  function trim() {
    while (rows.size > MAX_ROWS && tbody.lastChild) {
      const tr = tbody.lastChild;
      rows.delete(trKey(tr));
      tr.remove();
    }
  }

  function highlight(tr) {
    tr.classList.remove('changed');
    void tr.offsetWidth; // restart the animation
    tr.classList.add('changed');
  }

  function fillRow(tr, d) {
    const http = d.http_status ?? d.last_error?.httpStatus ?? null;
    const href = safeHref(d.temporal_ui_url);
    const cell = (col, ...children) => el('td', { 'data-col': col, class: col === 'http' || col === 'attempts' ? 'num' : null }, ...children);
    // A delivery held for an earlier one of its person says which; otherwise the last error, if any.
    const note = d.waiting_for ? 'waiting for an earlier event: ' + d.waiting_for : d.last_error ? d.last_error.message : null;
    const error = cell('error', note ? el('span', { class: 'clip', text: note, title: note }) : '');
    // An error that was retried past and ended delivered is history, not a problem now.
    if (d.status === 'delivered' || d.status === 'filtered') error.classList.add('quiet');
    tr.replaceChildren(
      cell('time', el('span', { text: fmtTime(d.started_at), title: d.started_at })),
      cell('event', el('span', { class: 'clip', text: d.event_name ?? d.event_type ?? '—', title: d.event_name }), d.event_name ? el('span', { class: 'type', text: d.event_type }) : null),
      cell('customer', el('span', { class: 'clip', text: d.customer_id ?? '—', title: d.customer_id })),
      cell('integration', el('span', { class: 'clip', text: d.integration_id ? integrationNames.get(d.integration_id) ?? d.integration_id : '—', title: d.integration_id })),
      cell('status', el('span', { class: 'badge s-' + d.status, text: statusLabel(d.status) }), lateMark(d)),
      cell('http', http === null ? '—' : el('span', { class: httpClass(http), text: String(http) })),
      cell('attempts', String(d.attempts)),
      error,
      cell('run', href ? el('a', { href, target: '_blank', rel: 'noopener', title: 'Open this run in the Temporal UI', text: 'run ↗' }) : ''),
    );
    tr.classList.toggle('selected', keyOf(d) === selectedKey);
  }

  // Delivered after its event's campaign window (72 h at Customer.io): stored there, but it starts no campaign.
  function lateMark(d) {
    if (!d.late) return null;
    const title = 'Delivered ' + d.late.age_hours + ' h after its event: older than Customer.io’s ' + d.late.threshold_hours +
      '-hour campaign window, so it starts no campaign';
    return el('span', { class: 'late', 'data-late-hours': String(d.late.age_hours), title, text: 'late · ' + d.late.age_hours + ' h' });
  }

  function rowFromEvent(e) {
    if (e.target.closest('a')) return null; // the Temporal link opens its own tab
    return e.target.closest('tr[data-workflow-id]');
  }
  tbody.addEventListener('click', (e) => {
    const tr = rowFromEvent(e);
    if (tr) select(tr);
  });
  tbody.addEventListener('keydown', (e) => {
    const tr = e.key === 'Enter' && rowFromEvent(e);
    if (tr) select(tr);
  });
  function select(tr) {
    const entry = rows.get(trKey(tr));
    if (!entry) return;
    for (const other of tbody.querySelectorAll('tr.selected')) other.classList.remove('selected');
    tr.classList.add('selected');
    selectedKey = keyOf(entry.data);
    showDetail(entry.data);
  }

  // ---- the detail panel: the delivery's whole story, read from its Temporal history ----
  async function showDetail(d) {
    const seq = ++detailSeq;
    $('main').classList.add('with-detail');
    detail.hidden = false;
    if (!detail.firstChild || detail.dataset.key !== keyOf(d)) detail.replaceChildren(detailHead(d), el('p', { class: 'meta', text: 'Loading…' }));
    detail.dataset.key = keyOf(d);
    let record;
    try {
      record = await api('/v1/admin/deliveries/' + encodeURIComponent(d.workflow_id) + '?run_id=' + encodeURIComponent(d.run_id));
    } catch (err) {
      if (seq !== detailSeq) return;
      if (err instanceof Unauthorized) return rejected();
      detail.replaceChildren(detailHead(d), el('p', { class: 'meta', text: 'Could not load this delivery: ' + err.message }));
      return;
    }
    if (seq !== detailSeq) return;
    detail.replaceChildren(detailHead(record), ...stages(record));
  }

  function closeDetail() {
    detailSeq++;
    selectedKey = null;
    detail.hidden = true;
    detail.replaceChildren();
    delete detail.dataset.key;
    $('main').classList.remove('with-detail');
    for (const tr of tbody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
  }

  function detailHead(d) {
    const href = safeHref(d.temporal_ui_url);
    const close = el('button', { type: 'button', 'aria-label': 'Close', text: '✕' });
    close.addEventListener('click', closeDetail);
    return el('div', {},
      el('div', { class: 'head' }, el('h2', { text: d.workflow_id }), close),
      el('div', { class: 'meta' },
        el('span', { class: 'badge s-' + d.status, text: statusLabel(d.status) }), ' ',
        lateMark(d), d.late ? ' ' : null,
        'run ' + d.run_id + (d.replay_of ? ' · replay of ' + d.replay_of : '') + ' · ',
        href ? el('a', { href, target: '_blank', rel: 'noopener', text: 'open in Temporal UI ↗' }) : ''),
    );
  }

  function stage(title, ...body) {
    return el('div', { class: 'stage' }, el('div', { class: 'title', text: title }), ...body);
  }

  function stages(r) {
    const out = [el('h3', { text: 'Input' }), stage('Signal event', json(r.event))];
    (r.attempts_detail || []).forEach((a) => {
      out.push(el('h3', { text: 'Attempt ' + a.attempt + ' · ' + a.outcome }));
      out.push(stage('Customer.io request',
        el('div', { class: 'mono', text: a.request.method + ' ' + (a.request.url || a.request.path) }),
        a.request.body === undefined || a.request.body === null ? null : json(a.request.body)));
      out.push(el('div', { class: 'arrow', text: '↓' }));
      const facts = [a.duration_ms !== null ? a.duration_ms + ' ms' : null, a.credentials_revision !== null ? 'credentials revision ' + a.credentials_revision : null, a.finished_at ? fmtTime(a.finished_at) : null]
        .filter(Boolean).join(' · ');
      out.push(stage('Customer.io response',
        a.response ? el('div', {}, el('span', { class: httpClass(a.response.status), text: String(a.response.status) })) : null,
        a.response && a.response.body_excerpt ? el('pre', { text: a.response.body_excerpt }) : null,
        a.error ? el('div', { class: 'err', text: (a.error.type ? a.error.type + ': ' : '') + a.error.message }) : null,
        !a.response && !a.error ? el('div', { class: 'meta', text: 'No answer yet' }) : null,
        facts ? el('div', { class: 'meta', text: facts }) : null));
    });
    if (r.timeline && r.timeline.length) {
      out.push(el('h3', { text: 'Timeline' }));
      out.push(el('ol', { class: 'timeline' }, ...r.timeline.map((t) =>
        el('li', {}, el('time', { text: fmtTime(t.at), title: t.at }), el('span', { text: t.what + (t.detail ? ' · ' + readableMs(t.detail) : '') })))));
    }
    if (r.order) {
      out.push(el('h3', { text: 'Order' }));
      out.push(stage(r.order.overtook ? 'Went ahead of an earlier event' : r.order.waited_ms === null ? 'Waiting for an earlier event' : 'Waited for an earlier event',
        el('div', { class: 'meta', text: r.order.summary })));
    }
    out.push(el('h3', { text: 'Outcome' }));
    const waiting = r.status === 'awaiting_credentials' ? 'Waiting for new credentials'
      : r.status === 'waiting_for_order' ? 'Waiting for an earlier event of this person' : 'Still running';
    if (!r.outcome) out.push(stage(waiting, el('div', { class: 'meta', text: r.last_error ? r.last_error.message : 'No outcome yet' })));
    else if (r.outcome.failure) out.push(stage(r.outcome.status, el('div', { class: 'err', text: (r.outcome.failure.type ? r.outcome.failure.type + ': ' : '') + r.outcome.failure.message })));
    else out.push(stage(r.outcome.status, r.outcome.result === undefined ? null : json(r.outcome.result)));
    return out;
  }

  // ---- filters: a new stream with the new query, and a fresh table ----
  for (const select of Object.values(filters)) {
    select.addEventListener('change', () => {
      rows.clear();
      tbody.replaceChildren();
      closeDetail();
      upsert([], false);
      backoffMs = 1000;
      connect();
    });
  }

  // ---- start: check the token with one API call (it also names the integrations), then stream ----
  async function start() {
    tokenForm.hidden = true;
    setConn('connecting', 'Connecting…');
    try {
      namesFetchedAt = Date.now();
      await loadIntegrations();
    } catch (err) {
      if (err instanceof Unauthorized) return rejected();
      // Names are a nicety: without them rows show integration ids.
    }
    $('app').hidden = false;
    $('forget').hidden = false;
    connect();
  }

  takeTokenFromHash();
  if (token()) start();
  else askForToken('');
})();
