// The staff console (/copilot): staff sign-in, then the live call with the copilot's suggestions and
// the work-order form, and the work orders with their lifecycle.
import * as api from "./copilot-api.js";
import { addLine, currentCall, endCall, startCall } from "./copilot-call.js";
import { departmentOptions, fillForm, resetForm, setUpForm } from "./copilot-form.js";
import { closeOrder, openOrder, refreshOrders } from "./copilot-orders.js";
import { clearSuggestion, showSuggestion } from "./copilot-suggest.js";
import { setUpHandoffs, startHandoffs, stopHandoffs } from "./copilot-handoff.js";
import { applyText, text } from "./copilot-text.js";
import { setUpLogin } from "./staff-login.js";

const $ = (id) => document.getElementById(id);

const handlers = {
  onSuggestion(suggestion, call) {
    showSuggestion(suggestion);
    fillForm(suggestion, call);
    $("call-status").textContent = text("updated");
  },
  onError(error) {
    if (error.code === "staff_login_required") signedOut();
    else $("call-status").textContent = error.message;
  },
};

function newCall() {
  startCall(handlers);
  resetForm();
  clearSuggestion();
  $("call-status").textContent = "";
}

async function loadDepartments() {
  const services = await api.services().catch(() => []);
  departmentOptions([...new Set(services.map((service) => service.dept))].sort());
}

function signedIn(user) {
  $("login-panel").hidden = true;
  $("console").hidden = false;
  $("who").textContent = text("signedInAs", { role: text(`account_${user.role}`), name: user.username });
  $("logout").hidden = false;
  newCall();
  refreshOrders();
  loadDepartments();
  startHandoffs();
  $("line-input").focus();
}

function signedOut() {
  stopHandoffs();
  endCall();
  closeOrder();
  $("console").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("login-panel").hidden = false;
  $("username").focus();
}

async function start() {
  applyText();
  setUpForm(currentCall, (order) => Promise.all([refreshOrders(), openOrder(order.number, { focus: false })]));
  setUpLogin({ api, text, signedIn, signedOut });
  setUpHandoffs(signedOut);
  $("new-call").addEventListener("click", newCall);
  $("refresh-orders").addEventListener("click", () => refreshOrders());
  $("line-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("line-input");
    if (!input.value.trim()) return;
    $("call-status").textContent = text("updating");
    addLine(input.value);
    input.value = "";
  });
  try {
    signedIn(await api.me());
  } catch (error) {
    if (error.status !== 401) $("login-error").textContent = error.message;
    signedOut();
  }
}

start();
