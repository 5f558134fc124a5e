// The static shell's behaviour (tools/web_shell.py inlines this file at the end of the shell;
// tools/web/shell-choose.js, before the shell, has chosen the language and the first page).
//
// 1. Pages: every page of the shell is a <section data-route="..."> named by the app's own
//    route; the address's "#" route says which one shows (#/stappen, #/stap/3, and
//    #/stap/3/<action>, which shows step 3 at that action).  Links are real links, so the
//    browser's back button, a reload and a screen reader's list of links all work; focus moves
//    to the new page's heading (or, going back, to the link the user followed from it), and
//    stays in the shell while Flutter starts behind it.
// 2. Handover: boot.js says when the full app has rendered ("stappenplan-app-rendered").  If
//    the user has not touched the shell, the app takes its place at once; otherwise the shell
//    stays, unmoved, and offers "De volledige app is klaar — App openen".  Meanwhile the app
//    follows the place the user is reading (Flutter follows the address), and opens there.
// 3. What boot.js says while the app loads (progress, failure), in the shell's language.
(() => {
  "use strict";

  const loading = document.getElementById("loading");
  const S = window.stappenplanShell;
  if (!loading || !S) return;
  const html = document.documentElement;
  const words = S.words;
  const root = document.querySelector(`#shell [data-lang="${S.language}"]`);
  for (const element of document.querySelectorAll("#shell [data-lang]")) element.hidden = element !== root;

  // --- 1. pages ----------------------------------------------------------------------------------
  const views = Array.from(root.querySelectorAll("section[data-route]"));
  const startView = views[0];
  const targets = Array.from(root.querySelectorAll("[data-route-target]"));
  const appTitle = document.title;

  const currentRoute = () => S.routeOf(location.hash);
  const viewElement = (viewRoute) => views.find((v) => v.dataset.route.split(" ").includes(viewRoute));

  // The page of a route and the place on it (an action's heading); "elsewhere": a page of the
  // app the shell does not have (the journal), shown on the first page until the app opens it.
  function resolve(route) {
    const viewRoute = S.viewOf(route);
    const view = viewElement(viewRoute);
    const target = targets.find((t) => t.dataset.routeTarget === route) || null;
    const elsewhere = view === startView && !target && !startView.dataset.route.split(" ").includes(route);
    return { viewRoute, view, target, elsewhere };
  }

  // Listeners of the page (not of the shell's own elements) end when the app has taken over.
  const listening = new AbortController();
  const on = (type, listener, options = {}) => window.addEventListener(type, listener, { ...options, signal: listening.signal });

  const visited = []; // routes shown, for "back"
  const scrollTops = new Map();
  let shown = null;
  let quietRoute = null; // a route the shell itself set for the app (nothing to show)

  function show(initial) {
    if (!loading.isConnected) {
      listening.abort(); // web-server mode: Flet removed the shell at Flutter's first frame
      return;
    }
    const route = currentRoute();
    if (route === quietRoute) {
      quietRoute = null;
      visited[visited.length - 1] = route; // the same page, at the place the user is reading
      return;
    }
    const { viewRoute, view, target } = resolve(route);
    const back = visited.length > 1 && visited[visited.length - 2] === route;
    const left = visited[visited.length - 1];
    if (back) visited.pop();
    else if (left !== route) visited.push(route);
    if (view === shown && !target) return;
    if (shown) scrollTops.set(shown, loading.scrollTop);
    html.dataset.shellView = viewRoute;
    shown = view;
    const heading = view.querySelector("h1");
    document.title = view === startView ? appTitle : `${heading.textContent} – ${appTitle}`;
    if (target) {
      target.focus({ preventScroll: true });
      target.scrollIntoView({ block: "start" });
    } else if (!initial) {
      // Going back: to where the user was on that page, on the link they followed from it.
      const from = back && left ? view.querySelector(`a[href="#${CSS.escape(left)}"]`) : null;
      (from || heading).focus({ preventScroll: true });
      loading.scrollTop = back ? scrollTops.get(view) || 0 : 0;
    }
  }
  show(true);
  on("hashchange", () => show(false));

  // Flutter's engine, starting behind the shell, focuses its own view: while the shell is in
  // charge, focus goes back to where the shell (or the user) had put it, so a screen reader
  // does not leave the page being read.
  let shellFocus = null;
  on("focusin", (event) => {
    if (loading.contains(event.target)) shellFocus = event.target;
    else if (shellFocus && shellFocus.isConnected) shellFocus.focus({ preventScroll: true });
  });

  // "Back": to the page the user came from when that is where the link leads (or, for a
  // link marked "any", wherever they came from), so the browser's history does not grow.
  root.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-back]");
    if (!link || visited.length < 2) return;
    const previous = visited[visited.length - 2];
    if (link.dataset.back === "any" || previous === S.routeOf(link.getAttribute("href"))) {
      event.preventDefault();
      window.history.back();
    }
  });

  // --- 2. handover ---------------------------------------------------------------------------------
  let touched = false; // the user has tapped, typed or scrolled in the shell
  for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
    on(type, () => { touched = true; }, { capture: true, passive: true });
  }

  function bar(text, buttonLabel, onClick) {
    let element = document.getElementById("shell-bar");
    if (!element) {
      element = document.createElement("div");
      element.id = "shell-bar";
      element.setAttribute("role", "status");
      element.lang = S.language;
      loading.append(element);
      loading.classList.add("offering");
    }
    const message = document.createElement("p");
    message.textContent = text;
    element.replaceChildren(message);
    if (buttonLabel) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = buttonLabel;
      button.addEventListener("click", onClick);
      element.append(button);
    }
  }

  function handOver() {
    listening.abort();
    loading.remove();
    document.title = appTitle;
    window.dispatchEvent(new Event("stappenplan-app-ready"));
  }

  // Where the app opens to keep the user where they are: the route of the action (or, on the
  // first page, of the help lines) the user has scrolled to, else of the page; from the first
  // page the acute flow, which shows the same first actions and help lines.
  function readingRoute() {
    const route = currentRoute();
    if (resolve(route).elsewhere) return route; // a page of the app itself (the journal)
    const line = loading.getBoundingClientRect().top + loading.clientHeight / 3;
    const passed = Array.from(shown.querySelectorAll("[data-route-target]"))
      .filter((mark) => mark.getBoundingClientRect().top <= line);
    if (passed.length) return passed[passed.length - 1].dataset.routeTarget;
    return shown.dataset.appRoute || shown.dataset.route;
  }
  // The app follows the address (Flutter listens to it): keep it at the reading place, without
  // a new history entry and without moving the shell.
  function follow() {
    const route = readingRoute();
    if (route === currentRoute()) return;
    quietRoute = route;
    location.replace("#" + route);
  }

  function offer() {
    follow();
    let scheduled = false;
    loading.addEventListener("scroll", () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => { scheduled = false; follow(); });
    }, { passive: true });
    bar(words.appReady, words.openApp, () => { follow(); handOver(); });
  }

  on("stappenplan-app-rendered", () => (touched ? offer() : handOver()), { once: true });

  // --- 3. what boot.js says while the app loads --------------------------------------------------
  const status = startView.querySelector("[role=status]");
  let progressLine = null;
  Object.assign(S, {
    failed() {
      status.textContent = words.failed;
      bar(words.failed);
    },
    progress(done, total) {
      if (!total || !document.contains(status)) return;
      if (!progressLine) {
        progressLine = document.createElement("p");
        progressLine.className = "status";
        progressLine.id = "offline-progress";
        progressLine.setAttribute("aria-hidden", "true"); // visual only; the status line speaks
        status.after(progressLine);
      }
      const mb = (n) => (n / 1e6).toFixed(0);
      progressLine.textContent = done >= total
        ? words.prepared
        : words.preparing.replace("{done}", mb(done)).replace("{total}", mb(total));
    },
  });
})();
