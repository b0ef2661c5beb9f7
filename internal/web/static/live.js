// live.js — what makes our server-rendered pages live, in one small module.
//
// A page whose <body> carries data-live="/some/stream" follows that
// Server-Sent Events stream. Each event only says "something changed": the
// module fetches the page again and swaps in the fresh copy of every element
// marked data-live-region (matched by id), so the server stays the only
// place that renders. While the stream is down a banner ([data-offline])
// says so; when it is back the regions are reloaded, so nothing missed is
// lost. Forms with data-confirm ask before they are sent.

const offline = document.querySelector("[data-offline]");
let pending = null;
let running = false;
let again = false;

// refresh reloads the live regions from a fresh copy of the page.
async function refresh() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  try {
    const res = await fetch(location.href, { credentials: "same-origin", cache: "no-store", headers: { "X-Live": "1" } });
    if (res.redirected || res.status === 401 || res.status === 403) {
      // Signed out, or no longer allowed: let the page say so.
      location.reload();
      return;
    }
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    swap(doc);
    document.dispatchEvent(new CustomEvent("live:updated", { detail: doc }));
  } catch (err) {
    // The network is down: the stream's error handler shows it.
  } finally {
    running = false;
    if (again) {
      again = false;
      refresh();
    }
  }
}

// swap replaces each live region by its fresh copy, keeping what the
// person was doing there: the focus (same id) and the fields they had
// changed but not sent yet (a payment method ticked, a quantity typed).
function swap(doc) {
  const active = document.activeElement;
  const focusId = active && active.id && active.closest("[data-live-region]") ? active.id : "";
  for (const region of document.querySelectorAll("[data-live-region]")) {
    const fresh = doc.getElementById(region.id);
    if (!fresh) continue;
    const changed = edits(region);
    const copy = document.importNode(fresh, true);
    for (const field of copy.querySelectorAll("input, select, textarea")) {
      const was = changed.get(fieldKey(field));
      if (was === undefined) continue;
      if (field.type === "radio" || field.type === "checkbox") field.checked = was;
      else field.value = was;
    }
    region.replaceWith(copy);
  }
  if (focusId) {
    const again = document.getElementById(focusId);
    if (again) again.focus({ preventScroll: true });
  }
}

// fieldKey names a field by its form's address, its name and, for a box to
// tick, its value: the same field in a fresh copy of the page.
function fieldKey(field) {
  const form = field.form ? field.form.getAttribute("action") : "";
  const tick = field.type === "radio" || field.type === "checkbox";
  return form + "|" + field.name + (tick ? "|" + field.value : "");
}

// edits are the fields of a region the person changed from the page as
// served.
function edits(region) {
  const out = new Map();
  for (const field of region.querySelectorAll("input, select, textarea")) {
    if (!field.name || field.type === "hidden") continue;
    if (field.type === "radio" || field.type === "checkbox") {
      if (field.checked !== field.defaultChecked) out.set(fieldKey(field), field.checked);
    } else if (field.value !== field.defaultValue) {
      out.set(fieldKey(field), field.value);
    }
  }
  return out;
}

// schedule gathers the events of 150 ms into one reload. The wait starts
// at the first event and is not pushed back by the next ones: on a busy
// evening events come closer than 150 ms apart, and a screen that waited
// for a quiet moment would not change at all.
function schedule() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    refresh();
  }, 150);
}

function setOffline(down) {
  if (offline) offline.hidden = !down;
  document.body.classList.toggle("is-offline", down);
}

function follow(url) {
  let down = false;
  const source = new EventSource(url);
  source.addEventListener("change", schedule);
  source.addEventListener("open", () => {
    if (down) {
      down = false;
      setOffline(false);
      refresh();
    }
  });
  source.addEventListener("error", () => {
    down = true;
    setOffline(true);
    if (source.readyState === EventSource.CLOSED) {
      // The browser gave up (the server answered something else than a
      // stream: signed out, or restarting). Check the page, then follow
      // again on our own schedule.
      source.close();
      setTimeout(() => {
        refresh();
        follow(url);
      }, 3000);
    }
  });
}

if (document.body.dataset.live) follow(document.body.dataset.live);

// A page that shows ages or times reloads its regions every so often
// (data-refresh, in seconds), events or not.
const every = Number(document.body.dataset.refresh || 0);
if (every > 0) setInterval(refresh, every * 1000);

// Forms marked data-live-form are sent in the background and the regions
// reloaded from the answer, so a tap does not reload the whole screen. A
// refusal (or a network failure) falls back to the ordinary submission,
// which shows the page's answer.
document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("[data-live-form]") || e.defaultPrevented) return;
  e.preventDefault();
  const button = e.submitter;
  if (button) button.disabled = true;
  try {
    const body = new URLSearchParams(new FormData(form, button));
    const res = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
    if (!res.ok || res.redirected === false) throw new Error(String(res.status));
    swap(new DOMParser().parseFromString(await res.text(), "text/html"));
    document.dispatchEvent(new CustomEvent("live:updated"));
  } catch (err) {
    if (button) button.disabled = false;
    form.submit();
  }
});

document.addEventListener("submit", (e) => {
  const form = e.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    e.preventDefault();
  }
});

// A notice of something just done comes on the address (?done=, ?placed=,
// ?delivered=…): once shown, it leaves the address, so that a reload or
// the next live refresh does not say it again ("REP-0016 annulée" still
// read after the next three orders were handed over).
{
  const url = new URL(location.href);
  let said = false;
  for (const key of ["done", "placed", "order", "delivered", "collected", "added"]) {
    if (url.searchParams.has(key)) {
      url.searchParams.delete(key);
      said = true;
    }
  }
  if (said) history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}
