// Copies a share link: every button with data-copy copies its value and says so. The
// address stays selectable in its field, for browsers without clipboard access.
(function () {
  function done(button, text) {
    var before = button.getAttribute('data-label') || button.textContent;
    button.setAttribute('data-label', before);
    button.textContent = text;
    setTimeout(function () { button.textContent = before; }, 2000);
  }
  function fallback(button, value) {
    var field = document.getElementById(button.getAttribute('data-field') || '');
    if (field) { field.focus(); field.select(); }
    try {
      done(button, document.execCommand('copy') ? '已复制' : '请长按链接复制');
    } catch (e) {
      done(button, '请长按链接复制');
    }
  }
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var value = button.getAttribute('data-copy');
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(value).then(
          function () { done(button, '已复制'); },
          function () { fallback(button, value); });
      } else {
        fallback(button, value);
      }
    });
  });
})();
