// Canned answers without a reload: the reply form's text takes the answer picked, as the server
// filled it for this request (its option's data-text), at the cursor. Without this script the
// form is a GET (?canned=<id>) that shows the page again with the reply pre-filled.
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('canned-form');
  var select = document.getElementById('canned-select');
  var reply = document.getElementById('comment-body');
  var status = document.getElementById('canned-status');
  if (!form || !select || !reply) return;
  // Where the agent left the cursor, once they have been in the reply; else its end.
  var touched = false;
  reply.addEventListener('focus', function () {
    touched = true;
  });
  form.addEventListener('submit', function (event) {
    var option = select.options[select.selectedIndex];
    if (!option || !option.hasAttribute('data-text')) return;
    event.preventDefault();
    var text = option.getAttribute('data-text');
    if (reply.value.trim() === '') {
      reply.value = text;
    } else if (touched) {
      reply.setRangeText(text, reply.selectionStart, reply.selectionEnd, 'end');
    } else {
      reply.value = reply.value.replace(/\s*$/, '') + '\n\n' + text;
    }
    reply.focus();
    if (status) status.textContent = form.getAttribute('data-inserted') || '';
  });
});
