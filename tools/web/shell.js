// The static shell's behaviour (tools/web_shell.py inlines this file at the end of the shell,
// so it runs before the first paint, long before Flutter and Python).
//
// 1. Language: the one the user chose in the app (kept by the app in localStorage), else the
//    device's first language the app speaks, else Dutch: as the app itself chooses.
// 2. Pages: every view of the shell is a <section data-route="..."> named by the app's own
//    route; the address's "#" route says which one shows (#/stappen, #/stap/3, and
//    #/stap/3/<action>, which shows step 3 at that action).  Links are real links, so the
//    browser's back button, a reload and a screen reader's link list all work; focus moves to
//    the new page's heading (or, going back, to the link the user came from).
// 3. Handover: boot.js says when the full app has rendered ("stappenplan-app-rendered").  If
//    the user has not touched the shell yet, the app takes its place at once; otherwise the
//    shell stays and offers "De volledige app is klaar — App openen", and the app opens at the
//    page the user is reading (its route follows the shell's address all along).
(() => {
  "use strict";

  const SHELL = __SHELL_CONFIG__;

  const loading = document.getElementById("loading");
  const shell = document.getElementById("shell");
  if (!loading || !shell) return;

  // --- 1. language -----------------------------------------------------------------------------
  function chosenLanguage() {
    try {
      const stored = JSON.parse(localStorage.getItem(SHELL.languagePreference));
      if (SHELL.languages.includes(stored)) return stored;
    } catch (error) {
      // no storage (private mode) or not JSON: follow the device
    }
    for (const code of navigator.languages || [navigator.language]) {
      const base = String(code).split(/[-_]/)[0].toLowerCase();
      if (SHELL.languages.includes(base)) return base;
    }
    return SHELL.defaultLanguage;
  }
  const language = chosenLanguage();
  const root = shell.querySelector(`[data-lang="${language}"]`);
  for (const element of shell.querySelectorAll("[data-lang]")) element.hidden = element !== root;
  document.documentElement.lang = language;
  const words = SHELL.words[language];

  // --- 2. pages ----------------------------------------------------------------------------------
  const views = Array.from(root.querySelectorAll("section[data-route]"));
  const startView = views[0];
  const appTitle = document.title;

  function normalise(route) {
    return "/" + route.split("?")[0].replace(/^\/+|\/+$/g, "");
  }
  function currentRoute() {
    return location.hash.startsWith("#/") ? normalise(decodeURIComponent(location.hash.slice(1))) : "/";
  }
  // The view of a route and the place in it (an action's heading), or the start view for a
  // route of the app the shell does not have (the journal): the app opens that route itself.
  function resolve(route) {
    const view = views.find((v) => v.dataset.route.split(" ").includes(route));
    if (view) return { view, target: null };
    const target = Array.from(root.querySelectorAll("[data-route-target]")).find((t) => t.dataset.routeTarget === route);
    if (target) return { view: target.closest("section[data-route]"), target };
    return { view: startView, target: null, elsewhere: true };
  }

  const visited = []; // routes shown, for "back"
  const scrollTops = new Map();
  let shown = null;
  let quietRoute = null; // a route the shell itself set for the app (nothing to show)

  // Listeners of the page (not of the shell's own elements) end when the app has taken over.
  const listening = new AbortController();
  const on = (type, listener, options = {}) => window.addEventListener(type, listener, { ...options, signal: listening.signal });

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
    const { view, target } = resolve(route);
    const back = visited.length > 1 && visited[visited.length - 2] === route;
    const left = visited[visited.length - 1];
    if (back) visited.pop();
    else if (left !== route) visited.push(route);
    if (view === shown && !target) return;
    if (shown) scrollTops.set(shown, loading.scrollTop);
    for (const v of views) v.hidden = v !== view;
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

  // "Back": to the page the user came from when that is where the link leads (or, for a
  // link marked "any", wherever they came from), so the browser's history does not grow.
  root.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-back]");
    if (!link || visited.length < 2) return;
    const previous = visited[visited.length - 2];
    if (link.dataset.back === "any" || previous === normalise(link.getAttribute("href").slice(1))) {
      event.preventDefault();
      window.history.back();
    }
  });

  // --- 3. handover ---------------------------------------------------------------------------------
  let touched = false; // the user has tapped, typed, scrolled or followed a link in the shell
  for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
    on(type, () => { touched = true; }, { capture: true, passive: true });
  }

  function bar(text, buttonLabel, onClick) {
    let element = document.getElementById("shell-bar");
    if (!element) {
      element = document.createElement("div");
      element.id = "shell-bar";
      element.setAttribute("role", "status");
      element.lang = language;
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

  // --- what boot.js says while the app loads --------------------------------------------------------
  const status = startView.querySelector("[role=status]");
  let progressLine = null;
  window.stappenplanShell = {
    language,
    words,
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
  };
})();
