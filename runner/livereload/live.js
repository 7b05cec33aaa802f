// gowsgi live reload: this page reloads itself when the app's code changes,
// and swaps a stylesheet that changed. Served in development only.
(function () {
  if (window.__gowsgiLive || !window.EventSource) return;
  window.__gowsgiLive = true;
  var broken = false;
  function connect() {
    var es = new EventSource("/__gowsgi/events");
    es.addEventListener("reload", function () { location.reload(); });
    es.addEventListener("css", function (e) {
      var swapped = false;
      document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
        var url = new URL(link.href, location.href);
        if (url.origin === location.origin && url.pathname === e.data) {
          url.searchParams.set("gowsgi", Date.now());
          link.href = url.toString();
          swapped = true;
        }
      });
      if (!swapped) location.reload();
    });
    // gowsgi restarted: the page may be stale, so load it afresh once the
    // server answers again.
    es.onerror = function () { broken = true; };
    es.onopen = function () { if (broken) location.reload(); };
  }
  connect();
})();
