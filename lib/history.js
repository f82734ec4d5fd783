// Browser history for a Streamlit page whose settings live in the address bar.
// 1. One entry per action of the visitor. Streamlit adds an entry for every URL parameter a
//    run changes: a preset that moves six sliders added six, and Back then stepped through
//    half-applied scenarios. After a click or key press, the first new entry is kept and every
//    later one replaces the one before, until the next click or key press; so Back returns to
//    the view before the click. A page switch's own entry counts as its click's first. Until
//    the first click, entries replace the one the browser made. (A link the app corrects still
//    opens with an extra entry: Streamlit writes the correction before this script is loaded.
//    Counting per script run lost entries: Streamlit may update the address bar after the
//    run's end, which then took the next click's entry.)
// 2. Back across a page switch keeps the scenario. On a page switch Streamlit drops the URL
//    parameters bound to widgets of the page left behind, and our sliders share their keys
//    across pages: Back from Grid to a home view with a preset reopened the defaults. When a
//    Back or Forward run ends with parameters of the entry gone, a chart on the page sends the
//    entry's query string to the server (lib/ui.py restores the settings from it), and the
//    address bar follows without a new entry.
// The component is mounted once per page by app.py, outside any fragment, so its message
// reruns the whole page; it draws nothing.
(function installHistory() {
  if (window.__aigridHistory) return;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return;  // not inside a Streamlit page: leave history alone
  window.__aigridHistory = true;
  const STATE = "data-test-script-state";
  let popped = null;  // the query string of a Back/Forward entry, until it is checked
  // The entry is checked when its run ends, and after each address change for a while longer:
  // Streamlit may drop the parameters only after the run has ended (seen under load).
  const CHECK_MS = 3000;
  let checkUntil = 0;  // set when the Back/Forward run ends
  let restoring = null;  // "sent", then "running": the restoring run replaces the entry
  let pushedThisAction = true;  // the page's own entry, made by the browser
  const newAction = () => {  // a click meanwhile gets its own entry, restore or not
    pushedThisAction = false;
    restoring = null;
    popped = null;  // the visitor acted: the entry they came back to is theirs now
  };
  window.addEventListener("pointerdown", newAction, true);
  window.addEventListener("keydown", newAction, true);
  window.addEventListener("popstate", () => {
    popped = location.search;
    checkUntil = 0;  // until its run ends
    pushedThisAction = true;  // Back and Forward make no entries
  });
  const lostFrom = (search) => {
    const now = new URLSearchParams(location.search);
    return [...new URLSearchParams(search).keys()].some((key) => !now.has(key));
  };
  const checkRestore = () => {
    if (popped === null || !checkUntil || app.getAttribute(STATE) !== "notRunning") return;
    if (performance.now() > checkUntil) {
      popped = null;
    } else if (lostFrom(popped) && window.__aigridRestore) {
      restoring = "sent";
      setTimeout(() => { if (restoring === "sent") restoring = null; }, 5000);  // no run came
      window.__aigridRestore(popped);
      popped = null;
    }
  };
  new MutationObserver(() => {
    if (app.getAttribute(STATE) !== "notRunning") {
      if (restoring === "sent") restoring = "running";
      return;
    }
    if (restoring === "running") restoring = null;
    if (popped !== null && !checkUntil) checkUntil = performance.now() + CHECK_MS;
    checkRestore();
  }).observe(app, { attributes: true, attributeFilter: [STATE] });
  // Under load Streamlit may take in a run's first and last messages together, and React
  // commits them at once: the attribute never leaves "notRunning" and the observer sees no run
  // end. Each full run also redraws this component (its data carry a run count), so a redraw
  // after Back or Forward that finds the page idle and the entry's parameters dropped is that
  // run's end. With the parameters still there, the Back run has not switched the page yet.
  // (On window: the page may evaluate this module again, and the script is installed once.)
  window.__aigridRunDrawn = () => setTimeout(() => {
    if (popped === null || checkUntil || app.getAttribute(STATE) !== "notRunning") return;
    if (!lostFrom(popped)) return;
    checkUntil = performance.now() + CHECK_MS;
    checkRestore();
  });
  const push = history.pushState.bind(history);
  const replace = history.replaceState.bind(history);
  history.replaceState = function replaceState(state, title, url) {
    const result = replace(state, title, url);
    if (popped !== null) setTimeout(checkRestore);
    return result;
  };
  history.pushState = function pushState(state, title, url) {
    if (pushedThisAction || restoring !== null) return history.replaceState(state, title, url);
    pushedThisAction = true;
    const result = push(state, title, url);
    if (popped !== null) setTimeout(checkRestore);
    return result;
  };
})();

export default function ({ parentElement, setTriggerValue }) {
  if (!parentElement.querySelector(":scope > .aigrid-history")) {
    const mark = document.createElement("span");  // mounted: the browser tests wait for it
    mark.className = "aigrid-history";
    mark.hidden = true;
    parentElement.appendChild(mark);
  }
  window.__aigridRunDrawn?.();
  window.__aigridRestore = (search) => setTriggerValue("restore", search);
}
