// Live: when something the page shows changes (a dossier, a proposal, a directive, staffing:
// the script tag's data-events, "dossier" by default), fetch this page again and swap its
// content in, without a reload. A form being filled in is never wiped: the page says that
// there is news and waits for the user.
(() => {
  const me = document.currentScript;
  const kinds = ((me && me.dataset.events) || 'dossier').split(/\s+/).filter(Boolean);
  const es = new EventSource('/api/v1/stream');
  let t;
  const typing = () => {
    const main = document.querySelector('main');
    if (!main) return false;
    if (main.contains(document.activeElement) && document.activeElement.matches('input, textarea, select')) return true;
    return [...main.querySelectorAll('textarea, input[type=text], input:not([type]), input[type=file]')]
      .some((el) => el.value && el.value.trim() !== '' && el.defaultValue !== el.value);
  };
  const notice = () => {
    if (document.getElementById('live-news')) return;
    const p = document.createElement('p');
    p.id = 'live-news';
    p.className = 'hint';
    p.setAttribute('role', 'status');
    p.innerHTML = 'Có cập nhật mới. <a href="">Tải lại trang</a>';
    document.querySelector('main').prepend(p);
  };
  const refresh = () => {
    clearTimeout(t);
    t = setTimeout(async () => {
      if (typing()) return notice();
      const html = await (await fetch(location.href, { credentials: 'same-origin' })).text();
      const fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
      if (fresh) document.querySelector('main').replaceWith(fresh);
    }, 300);
  };
  for (const k of kinds) es.addEventListener(k, refresh);
  es.addEventListener('refresh', refresh);
})();
