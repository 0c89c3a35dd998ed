// Keyboard navigation in an agent's queue: j / k move the highlighted row (its reference link
// takes the focus), Enter opens it, r opens it at the reply form. Without this script the queue
// is the same table of links. Keys typed in a field or with a modifier are left alone.
document.addEventListener('DOMContentLoaded', function () {
  var table = document.getElementById('queue-table');
  if (!table) return;
  var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr[data-href]'));
  if (rows.length === 0) return;
  var current = -1;

  function highlight(index) {
    if (current >= 0) rows[current].classList.remove('kb-current');
    current = Math.max(0, Math.min(rows.length - 1, index));
    var row = rows[current];
    row.classList.add('kb-current');
    var link = row.querySelector('a[href]');
    if (link) link.focus();
    row.scrollIntoView({ block: 'nearest' });
  }

  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : '';
    if (tag === 'input' || tag === 'select' || tag === 'textarea' || tag === 'button' || target.isContentEditable) {
      return;
    }
    var key = event.key;
    if (key === 'j' || key === 'k') {
      event.preventDefault();
      highlight(current < 0 ? 0 : current + (key === 'j' ? 1 : -1));
    } else if ((key === 'Enter' || key === 'r') && current >= 0) {
      // Enter on the row's focused link is the link's own; elsewhere it opens the highlighted row.
      if (key === 'Enter' && target === rows[current].querySelector('a[href]')) return;
      event.preventDefault();
      var href = rows[current].getAttribute('data-href');
      window.location.assign(key === 'r' ? href + '#comment-body' : href);
    }
  });
});
