// One browser-history entry per script run. Streamlit adds an entry for every URL parameter a
// run changes: a preset that moves six sliders added six, and Back then stepped through
// half-applied scenarios. While a run is on, every entry after its first replaces the one
// before, so Back returns to the view before the click. A page switch's own entry counts as
// its run's first. Installed once per page, whichever component loads first.
(function installOneEntryPerRun() {
  if (window.__aigridHistory) return;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return;  // not inside a Streamlit page: leave history alone
  window.__aigridHistory = true;
  const STATE = "data-test-script-state";
  let pushedThisRun = false;
  new MutationObserver(() => {
    if (app.getAttribute(STATE) === "notRunning") pushedThisRun = false;  // the run ended
  }).observe(app, { attributes: true, attributeFilter: [STATE] });
  const push = history.pushState.bind(history);
  history.pushState = function pushState(state, title, url) {
    if (pushedThisRun) return history.replaceState(state, title, url);
    pushedThisRun = true;
    return push(state, title, url);
  };
})();

