// The sign-in form and sign-out button both staff pages share (/copilot and /admin): the page passes its
// API (login, logout), its wording lookup and what to do once signed in or out.
const $ = (id) => document.getElementById(id);

export function setUpLogin({ api, text, signedIn, signedOut }) {
  async function logIn(event) {
    event.preventDefault();
    const error = $("login-error");
    error.textContent = text("loggingIn");
    try {
      const user = await api.login($("username").value.trim(), $("password").value);
      $("login-form").reset();
      error.textContent = "";
      signedIn(user);
    } catch (refused) {
      error.textContent = refused.message;
      $("password").select();
    }
  }

  async function logOut() {
    await api.logout().catch(() => {});
    signedOut();
  }

  $("login-form").addEventListener("submit", logIn);
  $("logout").addEventListener("click", logOut);
  return logOut;
}
