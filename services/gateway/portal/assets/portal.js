// A little help on top of pages that work without it: focus the first error of a refused form,
// and ask before an action that cannot be undone.
document.addEventListener('DOMContentLoaded', function () {
  var invalid = document.querySelector('[aria-invalid="true"]') || document.getElementById('form-errors');
  if (invalid) invalid.focus();
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });
});
