// Fills the page from the JSON API and keeps it current from /api/events.
"use strict";

const REFRESH_DELAY_MS = 150;
const PAGE_LIMIT = 500;
const LIVE_RETRY_MS = 5000;
let refreshTimer = null;

function $(selector) { return document.querySelector(selector); }

function filterParams() {
  const params = new URLSearchParams({ limit: String(PAGE_LIMIT) });
  for (const [name, value] of new FormData($("#filters"))) {
    if (value && name !== "token") params.set(name, value);
  }
  return params;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  return { ok: response.ok, status: response.status, body };
}

function scheduleRefresh() {
  // Many events arrive together (an editor save, a sync); one refetch covers them.
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, REFRESH_DELAY_MS);
}

async function refresh() {
  try {
    const [tickets, status, ready] = await Promise.all([
      getJson(`/api/tickets?${filterParams()}`),
      getJson("/api/status"),
      getJson("/ready"),
    ]);
    if (!tickets.ok) { showMessage(tickets.body.message); return; }
    renderTickets(tickets.body);
    renderCounts(status.body.counts.by_status);
    renderInvalid(status.body.invalid);
    renderHealth(ready);
  } catch (error) {
    showMessage(`cannot reach the server: ${error}`);
  }
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text == null ? "" : String(text);
  return td;
}

function statusCell(ticket) {
  const select = document.createElement("select");
  select.className = "status-select";
  select.setAttribute("aria-label", `status of ${ticket.id}`);
  select.append($("#status-options").content.cloneNode(true));
  select.value = ticket.status;
  select.addEventListener("change", () => changeStatus(ticket, select.value));
  const td = document.createElement("td");
  td.append(select);
  return td;
}

function tagsCell(tags) {
  const td = document.createElement("td");
  for (const tag of tags) {
    const span = document.createElement("span");
    span.className = "tag";
    span.textContent = tag;
    td.append(span);
  }
  return td;
}

function buildRow(ticket) {
  const tr = document.createElement("tr");
  tr.dataset.id = ticket.id;
  tr.dataset.etag = ticket.etag;
  tr.append(cell(ticket.id), cell(ticket.title), statusCell(ticket), cell(ticket.priority),
    cell(ticket.assignee), tagsCell(ticket.tags), cell(ticket.updated));
  return tr;
}

function renderTickets(page) {
  // Rows whose ticket did not change are kept as they are, so a status select the user is
  // working with is not swapped out under them by an unrelated live update.
  const tbody = $("#tickets tbody");
  const existing = new Map([...tbody.rows].map((tr) => [tr.dataset.id, tr]));
  const rows = page.items.map((ticket) => {
    const row = existing.get(ticket.id);
    if (!row || row.dataset.etag !== ticket.etag) return buildRow(ticket);
    const select = row.querySelector("select");
    if (document.activeElement !== select) select.value = ticket.status;
    return row;
  });
  const unchanged = rows.length === tbody.rows.length && rows.every((row, i) => row === tbody.rows[i]);
  if (!unchanged) tbody.replaceChildren(...rows);
  $("#shown").textContent = `${page.items.length} of ${page.total} matching tickets shown`;
}

function renderCounts(byStatus) {
  for (const [status, count] of Object.entries(byStatus)) {
    const item = $(`#counts li[data-status="${status}"] .count`);
    if (item) item.textContent = String(count);
  }
}

function renderInvalid(invalid) {
  const items = invalid.map((entry) => {
    const li = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = entry.path;
    li.append(code, `: ${entry.reason}`);
    return li;
  });
  if (!items.length) items.push(Object.assign(document.createElement("li"), { textContent: "none" }));
  $("#invalid").replaceChildren(...items);
}

function renderHealth(ready) {
  const health = $("#health");
  health.dataset.state = ready.ok ? "ok" : "failing";
  health.textContent = ready.ok ? "healthy" : ready.body.message;
}

function showMessage(text, kind = "error") {
  const message = $("#message");
  message.dataset.kind = kind;
  message.textContent = text || "";
}

async function changeStatus(ticket, status) {
  const headers = { "Content-Type": "application/json", "If-Match": `"${ticket.etag}"` };
  const token = $("#token");
  if (token && token.value) headers.Authorization = `Bearer ${token.value}`;
  try {
    const response = await fetch(`/api/tickets/${encodeURIComponent(ticket.id)}/status`, {
      method: "POST", headers, body: JSON.stringify({ status }),
    });
    const body = await response.json();
    showMessage(response.ok ? `${ticket.id} is now ${body.status}` : body.message,
      response.ok ? "ok" : "error");
  } catch (error) {
    showMessage(`status not changed: ${error}`);
  }
  scheduleRefresh();
}

function connectLive() {
  const live = $("#live");
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    live.dataset.state = "live";
    live.textContent = "live updates: on";
    scheduleRefresh();  // anything missed while disconnected
  });
  source.addEventListener("message", scheduleRefresh);
  source.addEventListener("error", () => {
    live.dataset.state = "lost";
    live.textContent = "live updates: reconnecting…";
    // EventSource retries a dropped stream itself, but not one refused with a 503 (the
    // server caps open streams): that one is closed, so open a new one after a while.
    if (source.readyState === EventSource.CLOSED) setTimeout(connectLive, LIVE_RETRY_MS);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("#filters").addEventListener("input", scheduleRefresh);
  $("#filters").addEventListener("submit", (event) => event.preventDefault());
  refresh();
  connectLive();
});
