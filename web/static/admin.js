// The operator dashboard (/admin): an administrator signs in, then four tabs — 运营概览 (figures and
// charts), 待标注, 知识库 and 评价跟进. Staff who are not administrators are told so, plainly.
import * as api from "./admin-api.js";
import { setUpFollowups, refreshFollowups } from "./admin-followups.js";
import { refreshKb, setUpKb } from "./admin-kb.js";
import { refreshOverview, renderFunnel, setLastDays } from "./admin-overview.js";
import { refreshQueue, setUpQueue } from "./admin-queue.js";
import { loadServices } from "./admin-services.js";
import { applyText, text } from "./admin-text.js";
import { setUpLogin } from "./staff-login.js";

const $ = (id) => document.getElementById(id);
const TABS = { overview: refreshOverview, queue: refreshQueue, kb: refreshKb, followups: refreshFollowups };

function show(panel) {
  for (const id of ["login-panel", "refusal-panel", "dashboard"]) $(id).hidden = id !== panel;
}

function selectTab(name, { focus = false } = {}) {
  for (const key of Object.keys(TABS)) {
    const tab = $(`tab-${key}`);
    const on = key === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`panel-${key}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  TABS[name]().catch(handleError);
}

// Arrow keys move along the tabs, Home and End to either end (the ARIA tabs pattern).
function onTabKey(event) {
  const names = Object.keys(TABS);
  const at = names.indexOf(event.currentTarget.id.slice(4));
  const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: names.length - 1 }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  selectTab(names[(to + names.length) % names.length], { focus: true });
}

// The header names the account's own role: a 坐席 refused here is not told they are an administrator.
function showWho(user) {
  $("who").textContent = text("signedInAs", { role: text(`account_${user.role}`), name: user.username });
  $("logout").hidden = false;
}

function refuse(user) {
  show("refusal-panel");
  showWho(user);
  $("refusal").textContent = text("notAdmin", { name: user.username });
  $("switch-account").focus();
}

async function signedIn(user) {
  if (user.role !== "admin") {
    refuse(user);
    return;
  }
  show("dashboard");
  showWho(user);
  setLastDays(7);
  selectTab("overview");
  loadServices().catch(() => {});
}

function signedOut() {
  show("login-panel");
  $("logout").hidden = true;
  $("who").textContent = "";
  $("username").focus();
}

function handleError(error) {
  if (error.code === "staff_login_required") signedOut();
  else if (error.code === "admin_only") api.me().then(refuse, signedOut);
}

async function start() {
  applyText();
  const logOut = setUpLogin({ api, text, signedIn, signedOut });
  $("switch-account").addEventListener("click", logOut);
  for (const key of Object.keys(TABS)) {
    $(`tab-${key}`).addEventListener("click", () => selectTab(key));
    $(`tab-${key}`).addEventListener("keydown", onTabKey);
  }
  $("range-form").addEventListener("submit", (event) => {
    event.preventDefault();
    refreshOverview().catch(handleError);
  });
  for (const quick of [$("last-7"), $("last-30")]) {
    quick.addEventListener("click", () => {
      setLastDays(Number(quick.dataset.days));
      refreshOverview().catch(handleError);
    });
  }
  $("funnel-pick").addEventListener("change", renderFunnel);
  setUpQueue();
  setUpKb();
  setUpFollowups();
  try {
    await signedIn(await api.me());
  } catch (error) {
    if (error.status !== 401) $("login-error").textContent = error.message;
    signedOut();
  }
}

start();
