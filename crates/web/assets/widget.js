// haicap assistant widget: one <script src="https://…/tro-ly/widget.js" data-province="48"
// data-commune="20242"></script> on a commune's website adds a button that opens the assistant
// in a frame served by haicap (with the commune, the procedures it offers come first).
(function () {
  var me = document.currentScript;
  if (!me) return;
  var origin = new URL(me.src, location.href).origin;
  var province = me.getAttribute('data-province') || '';
  var commune = me.getAttribute('data-commune') || '';
  var src = origin + '/tro-ly?nhung=1' + (province ? '&tinh=' + encodeURIComponent(province) : '') +
    (commune ? '&xa=' + encodeURIComponent(commune) : '');
  var button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Hỏi về thủ tục';
  button.setAttribute('aria-expanded', 'false');
  button.style.cssText = 'position:fixed;right:16px;bottom:16px;z-index:2147483646;padding:10px 16px;' +
    'border:0;border-radius:20px;background:#0b5394;color:#fff;font:16px sans-serif;cursor:pointer';
  var frame = null;
  button.addEventListener('click', function () {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.src = src;
      frame.title = 'Trợ lý thủ tục hành chính';
      frame.style.cssText = 'position:fixed;right:16px;bottom:64px;z-index:2147483646;width:min(380px,95vw);' +
        'height:min(560px,80vh);border:1px solid #ccc;border-radius:8px;background:#fff';
      document.body.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    button.setAttribute('aria-expanded', String(!frame.hidden));
  });
  document.body.appendChild(button);
})();
