// The static shell's first decision: which language and which page of the shell.
//
// tools/web_shell.py inlines this file before the shell's markup, so it runs before anything of
// the shell can be painted: it marks <html> with the language (data-shell-lang) and the page
// (data-shell-view), and the shell's stylesheet shows only that page in that language.  Without
// script nothing is marked and the Dutch shell shows whole.  tools/web/shell.js, at the end of
// the shell, does the rest (links, focus, the handover).
(() => {
  "use strict";

  const SHELL = __SHELL_CONFIG__;

  // The language the user chose in the app (kept by the app in localStorage), else the device's
  // first language the app speaks, else Dutch: as the app itself chooses (screens/i18n.py).
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

  // The app's route in the address ("#/stap/3"), as screens/routes.py normalises it.
  function routeOf(hash) {
    if (!hash.startsWith("#/")) return "/";
    let path = hash.slice(1);
    try {
      path = decodeURIComponent(path);
    } catch (error) {
      // not percent-encoded text: take it as it is
    }
    return "/" + path.split("?")[0].replace(/^\/+|\/+$/g, "");
  }

  // The page of the shell a route is on: the longest page route it starts with ("/stap/3/<action>"
  // is on "/stap/3"); every other route (the journal: the app shows it itself) on the first page.
  function viewOf(route) {
    let best = "/";
    for (const view of SHELL.views) {
      if ((route === view || route.startsWith(view + "/")) && view.length > best.length) best = view;
    }
    return best;
  }

  const language = chosenLanguage();
  const html = document.documentElement;
  html.lang = language;
  html.dataset.shellLang = language;
  html.dataset.shellView = viewOf(routeOf(location.hash));
  performance.mark("stappenplan-shell"); // the page is chosen (tools/bench_shell.py)
  window.stappenplanShell = { language, words: SHELL.words[language], routeOf, viewOf };
})();
