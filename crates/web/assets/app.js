// Small behaviours of the pages, here rather than inline: the Content-Security-Policy allows
// scripts from this site only, never inline ones.
document.addEventListener('click', (e) => {
  // <button data-print>: print the page (receipts, form letters).
  if (e.target.closest('[data-print]')) window.print();
});
document.addEventListener('htmx:afterRequest', (e) => {
  // <form data-reset-after>: emptied once its request succeeded (the assistant's question box).
  const form = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest('form[data-reset-after]');
  if (form && e.detail.successful) form.reset();
});
