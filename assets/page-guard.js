// Corrections of Flet's web client, loaded by index.html before the client starts
// (tools/web_shell.py puts it there, in the server mode's page and the static build).
//
// 1. Flet 1.0.5's client appends a <script> for the Rive runtime (an animation
//    library this app never uses) from a public CDN at every start. A script
//    from another origin is not added to the page, so no request is even
//    attempted; the client waits for it in the background, as it did when the
//    Content-Security-Policy blocked it.
// 2. Flutter's engine replaces the page's viewport with one that says
//    "user-scalable=no, maximum-scale=1.0". The page's own viewport is put back
//    at once, so a teacher can zoom (WCAG 1.4.4).
// 3. Flutter writes the app's title into the page, "" until Python has drawn its
//    first screen (seconds on a first visit of the static build). The page keeps
//    its own title until the app gives one: screen readers announce it.
(() => {
  "use strict";
  const foreign = (node) => node instanceof HTMLScriptElement && node.src !== "" &&
    new URL(node.src, document.baseURI).origin !== location.origin;
  const append = Element.prototype.append;
  Element.prototype.append = function (...nodes) {
    return append.apply(this, nodes.filter((node) => !foreign(node)));
  };
  const appendChild = Node.prototype.appendChild;
  Node.prototype.appendChild = function (node) {
    return foreign(node) ? node : appendChild.call(this, node);
  };

  const viewport = document.querySelector('meta[name="viewport"]').content;
  const title = document.title;
  const keep = () => {
    for (const meta of document.head.querySelectorAll('meta[name="viewport"]')) {
      if (meta.content !== viewport) meta.content = viewport;
    }
    if (!document.title.trim()) document.title = title;
  };
  new MutationObserver(keep).observe(document.head,
    { childList: true, subtree: true, attributes: true, characterData: true });
})();
