// kitchen.js — the kitchen display, on top of live.js: a short sound when
// a new ticket arrives (the screen can mute it), the recipe memo opened on
// the same screen, and the "Rappel" list opened without a reload. Without
// scripts the same buttons reload the page with the memo or the list open.

const sound = document.querySelector("[data-sound]");
const tickets = () => new Set([...document.querySelectorAll("[data-ticket]")].map((t) => t.dataset.ticket));
let known = tickets();
let audio = null;
let muted = localStorage.getItem("kitchen-muted") === "1";

// The button says what the sound is: not yet allowed by a tap, on, or
// muted.
function showSound() {
  if (!sound) return;
  sound.hidden = false;
  // (Not data-on: the template engine takes an attribute named on… for an
  // event handler and writes its text as a JavaScript string, quotes and all.)
  sound.textContent = audio === null ? sound.dataset.soundOff : muted ? sound.dataset.soundMuted : sound.dataset.soundOn;
  sound.classList.toggle("off", muted || audio === null);
}

// Browsers let a page play sound only after a tap: the button is that tap,
// and then mutes and unmutes.
sound?.addEventListener("click", () => {
  if (audio === null) {
    audio = new AudioContext();
    muted = false;
  } else {
    muted = !muted;
  }
  localStorage.setItem("kitchen-muted", muted ? "1" : "0");
  showSound();
  if (!muted) beep();
});

function beep() {
  if (!audio || muted) return;
  const now = audio.currentTime;
  for (const [at, freq] of [[0, 880], [0.18, 1175]]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + at);
    gain.gain.exponentialRampToValueAtTime(0.4, now + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.16);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + at);
    osc.stop(now + at + 0.17);
  }
}

// The recall list stays as the cook left it when the queue reloads.
let recallOpen = !document.getElementById("recall")?.hidden;
function showRecall() {
  const panel = document.getElementById("recall");
  if (panel) panel.hidden = !recallOpen;
  const toggle = document.querySelector("[data-recall-toggle] button");
  toggle?.setAttribute("aria-expanded", String(recallOpen));
}

document.addEventListener("submit", (e) => {
  const form = e.target;
  if (form.matches("[data-recipe]")) {
    const dialog = document.getElementById("recipe-" + form.dataset.recipe);
    if (dialog) {
      e.preventDefault();
      dialog.showModal();
    }
  } else if (form.matches("[data-recall-toggle]")) {
    e.preventDefault();
    recallOpen = !recallOpen;
    showRecall();
  }
});

document.addEventListener("live:updated", () => {
  const now = tickets();
  const arrived = [...now].some((id) => !known.has(id));
  known = now;
  showRecall();
  if (arrived) beep();
});

showSound();
