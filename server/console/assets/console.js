// Progressive enhancement of the console (every page works without it):
// - a run page follows its run through server-sent events and swaps in the new page when the stage changes;
// - a kubeconfig revocation's timer counts up until the run is verified.
/* global clearInterval, setInterval, document, window, EventSource, fetch, DOMParser */
'use strict';

(function () {
  function formatSeconds(ms) {
    var s = ms / 1000;
    if (s < 60) return s.toFixed(1) + ' s';
    return Math.floor(s / 60) + ' min ' + Math.round(s % 60) + ' s';
  }

  var timerId;
  function startTimer() {
    clearInterval(timerId);
    var timer = document.getElementById('timer');
    if (!timer || timer.dataset.end) return;
    var start = Date.parse(timer.dataset.start);
    timerId = setInterval(function () {
      timer.textContent = formatSeconds(Date.now() - start);
    }, 100);
  }

  function follow(run) {
    if (!window.EventSource || run.dataset.open !== 'true') return;
    var source = new EventSource(run.dataset.live);
    source.addEventListener('stage', function (event) {
      var data = JSON.parse(event.data);
      // An ended run sends its last stage once: no need to reconnect after that.
      if (!data.open) source.close();
      var current = document.getElementById('run');
      if (!current || data.stage === current.dataset.stage) return;
      // Keep what the person is typing: swap only when no form field has been touched.
      var busy = Array.prototype.some.call(
        current.querySelectorAll('textarea, input[type=text], input:not([type])'),
        function (field) {
          return field.value !== field.defaultValue;
        },
      );
      if (busy) {
        var stage = document.getElementById('stage');
        if (stage) stage.textContent = data.stage;
        return;
      }
      fetch(window.location.pathname, { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          var next = new DOMParser().parseFromString(html, 'text/html').getElementById('run');
          if (!next) return;
          current.replaceWith(next);
          var status = document.getElementById('live-status');
          if (status) status.textContent = 'The run moved to stage ' + data.stage + '.';
          startTimer();
          if (next.dataset.open !== 'true') source.close();
        })
        .catch(function () {
          /* the plain page still works: a reload shows the new stage */
        });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    startTimer();
    var run = document.getElementById('run');
    if (run) follow(run);
  });
})();
