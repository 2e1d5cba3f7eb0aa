// The check-in desk's camera: reads QR codes with jsQR (from npm, served by eventsys/vendor_assets.py)
// and submits the code through the desk's own form, as a USB scanner would type it.
// The same code is not sent twice while it stays in view: after the redirect the camera starts
// again, and the ticket still held up must not check its holder in again (or back in after an undo).
(function () {
  var box = document.getElementById('desk-camera');
  var start = document.getElementById('camera-start');
  var stop = document.getElementById('camera-stop');
  var form = document.getElementById('desk-form');
  if (!box || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var video = document.getElementById('desk-video');
  var status = document.getElementById('camera-status');
  var input = document.getElementById('code');
  var RUNNING = 'eventsys-desk-camera', LAST = 'eventsys-desk-last-code';
  //: a code out of view this long, then shown again, is a new scan
  var FORGET_AFTER_MS = 2000;
  var stream = null, timer = null, lastSeenAt = Date.now();
  var canvas = document.createElement('canvas');
  var context = canvas.getContext('2d', { willReadFrequently: true });

  function say(name) { status.textContent = box.dataset['text' + name] || ''; }

  function loadScanner() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = box.dataset.scanner;
      script.onload = function () { window.jsQR ? resolve() : reject(new Error('no jsQR')); };
      script.onerror = function () { reject(new Error('scanner')); };
      document.head.appendChild(script);
    });
  }

  function begin() {
    box.hidden = false; start.hidden = true; stop.hidden = false;
    say('Starting');
    loadScanner().catch(function () { throw new Error('scanner'); })
      .then(function () {
        return navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      })
      .then(function (camera) { stream = camera; video.srcObject = camera; return video.play(); })
      .then(function () {
        sessionStorage.setItem(RUNNING, 'on');
        say('Looking');
        timer = setInterval(look, 150);
      })
      .catch(function (problem) {
        end();
        box.hidden = false; stop.hidden = true;
        say(problem && problem.message === 'scanner' ? 'Unavailable' : 'Denied');
      });
  }

  function end() {
    if (timer) clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    sessionStorage.removeItem(RUNNING);
    box.hidden = true; stop.hidden = true; start.hidden = false;
  }

  function look() {
    var width = video.videoWidth, height = video.videoHeight;
    if (video.readyState < 2 || !width) return;
    canvas.width = width; canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height,
                            { inversionAttempts: 'attemptBoth' });
    var code = found && found.data ? found.data.trim() : '';
    var now = Date.now();
    if (!code) {
      if (now - lastSeenAt > FORGET_AFTER_MS) sessionStorage.removeItem(LAST);
      return;
    }
    lastSeenAt = now;
    if (code === sessionStorage.getItem(LAST)) return;
    sessionStorage.setItem(LAST, code);
    clearInterval(timer); timer = null;
    say('Found');
    input.value = code;
    form.submit();
  }

  start.hidden = false;
  start.addEventListener('click', begin);
  stop.addEventListener('click', end);
  if (sessionStorage.getItem(RUNNING) === 'on') begin();
})();
