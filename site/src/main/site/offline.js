// Registers the offline service worker (service-worker.js) and says on the page what it does: after one visit the
// page and the engine load without the server; when a new version of the site is installed, a button applies it.
// Test hook: <html data-offline="ready"> once a worker controls this page.
const note = document.createElement('p');
note.id = 'offline';
note.className = 'note';

function show(text, button) {
  note.textContent = text;
  if (button) note.append(' ', button);
  if (!note.isConnected) (document.querySelector('footer') || document.body).prepend(note);
}

if ('serviceWorker' in navigator) {
  if (navigator.serviceWorker.controller) document.documentElement.dataset.offline = 'ready';
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (document.documentElement.dataset.offline === 'updating') location.reload();
    document.documentElement.dataset.offline = 'ready';
  });
  navigator.serviceWorker.register('service-worker.js').then((reg) => {
    const offerUpdate = () => {
      if (!reg.waiting || !navigator.serviceWorker.controller) return;
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'Update now';
      b.addEventListener('click', () => {
        document.documentElement.dataset.offline = 'updating';
        reg.waiting.postMessage('skip-waiting');
      });
      show('A new version of this page is ready.', b);
    };
    offerUpdate();
    reg.addEventListener('updatefound', () => {
      const w = reg.installing;
      if (w) w.addEventListener('statechange', () => { if (w.state === 'installed') offerUpdate(); });
    });
  }).catch((e) => show('Offline use is off: the service worker could not be registered (' + e.message + ').'));
}
