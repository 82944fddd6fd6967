// Live: when a dossier the user may see changes, fetch this page again and swap its content
// in, without a reload (pages that include this script: the work queue, the dashboard).
(() => {
  const es = new EventSource('/api/v1/stream');
  let t;
  const refresh = () => {
    clearTimeout(t);
    t = setTimeout(async () => {
      const html = await (await fetch(location.href, { credentials: 'same-origin' })).text();
      const fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
      if (fresh) document.querySelector('main').replaceWith(fresh);
    }, 300);
  };
  es.addEventListener('dossier', refresh);
  es.addEventListener('refresh', refresh);
})();
