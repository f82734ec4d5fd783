// Draws one Plotly figure and keeps the same chart across reruns: a new figure is applied with
// Plotly.react, which updates the existing chart instead of building a new one.
// plotly.js (the "basic" bundle: scatter, bar, pie) is loaded once per page from app static files.

const LOADING = "__aigridPlotlyLoading";
// A touch screen has no hover: once a tap shows Plotly's toolbar it stays, over the legend's
// last entries, and its tools need a mouse (a double tap resets the view). It is left off there.
const TOUCH = window.matchMedia?.("(hover: none)").matches ?? false;

function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window[LOADING]) {
    window[LOADING] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => (window.Plotly ? resolve(window.Plotly)
                                           : reject(new Error("plotly.js did not define Plotly")));
      script.onerror = () => {
        window[LOADING] = null;  // let a later rerun try again
        reject(new Error(`could not load ${src}`));
      };
      document.head.appendChild(script);
    });
  }
  return window[LOADING];
}

function chartDiv(parent, height) {
  let gd = parent.querySelector(":scope > .aigrid-chart");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "aigrid-chart";
    parent.appendChild(gd);
    // Plotly's own "responsive" follows the window only; the column can change width alone
    // (sidebar opened or closed), so follow the element.
    gd.__aigridResize = new ResizeObserver(([entry]) => {
      const width = Math.round(entry.contentRect.width);
      const changed = gd.__aigridWidth !== undefined && width !== gd.__aigridWidth;
      gd.__aigridWidth = width;  // the first report is the width Plotly draws at
      // A chart being taken off the page reports width 0 first: there is nothing to resize.
      if (changed && width > 0 && gd.isConnected && window.Plotly && gd.data) {
        window.Plotly.Plots.resize(gd)
          .then(() => fitLegend(gd, window.Plotly, gd.__aigridBaseHeight))
          .catch(() => {});  // hidden meanwhile: the next report redraws
      }
    });
    gd.__aigridResize.observe(gd);
  }
  gd.style.minHeight = `${height}px`;  // keeps the page from jumping while plotly.js loads
  return gd;
}

// A legend that wraps onto more rows (a narrow window) pushes the plot down inside a chart of
// fixed height and squeezes its panels. The chart grows by the extra rows instead; the plot
// keeps the height it has at full width.
function legendExtraPx(gd) {
  // the rows' tops from the items' transforms: no layout is forced, so a redraw at full width
  // (one row) costs next to nothing here
  const tops = [...gd.querySelectorAll(".legend .traces")]
    .map((item) => item.transform.baseVal.consolidate()?.matrix.f ?? 0);
  return tops.length ? Math.round(Math.max(...tops) - Math.min(...tops)) : 0;
}

function fitLegend(gd, Plotly, baseHeight) {
  const extra = legendExtraPx(gd);
  gd.__aigridLegendExtra = extra;
  const wanted = baseHeight + extra;
  if (Math.abs(gd._fullLayout.height - wanted) > 1) {
    return Plotly.relayout(gd, { height: wanted });
  }
}

export default function ({ data, parentElement }) {
  const figure = JSON.parse(data.figure);
  const baseHeight = figure.layout.height || 450;
  // the last extra, so a redraw at the same width needs no second pass
  figure.layout.height = baseHeight + (parentElement.querySelector(":scope > .aigrid-chart")
    ?.__aigridLegendExtra ?? 0);
  const gd = chartDiv(parentElement, baseHeight);
  // One image to a screen reader, named by the chart's title (else it read the axis numbers);
  // the caption and the CSV under it hold the numbers.
  gd.setAttribute("role", "img");
  gd.setAttribute("aria-label", data.label || "Chart");
  const ticket = (gd.__aigridTicket = (gd.__aigridTicket || 0) + 1);
  gd.dataset.pending = "1";
  loadPlotly(data.plotly_src)
    .then((Plotly) => {
      if (ticket !== gd.__aigridTicket) return;  // a newer figure is on its way
      gd.querySelector(":scope > .aigrid-chart-error")?.remove();
      gd.__aigridBaseHeight = baseHeight;
      const config = TOUCH ? { ...data.config, displayModeBar: false } : data.config;
      return Plotly.react(gd, figure.data, figure.layout, config)
        .then(() => ticket === gd.__aigridTicket && fitLegend(gd, Plotly, baseHeight));
    })
    .catch((err) => {
      if (ticket !== gd.__aigridTicket) return;
      let note = gd.querySelector(":scope > .aigrid-chart-error");
      if (!note) {
        note = document.createElement("p");
        note.className = "aigrid-chart-error";
        gd.appendChild(note);
      }
      note.textContent = `This chart could not be drawn (${err.message}). `
        + "Reload the page; the numbers and CSV downloads below still work.";
    })
    .finally(() => {
      if (ticket === gd.__aigridTicket) delete gd.dataset.pending;
    });
  return () => {
    gd.__aigridResize?.disconnect();
    if (window.Plotly) window.Plotly.purge(gd);
  };
}
