// A little help on top of pages that work without it: focus the first error of a refused form,
// and ask before an action that cannot be undone.
document.addEventListener('DOMContentLoaded', function () {
  // A refused form's first error, else the action an email's button asked for.
  var target =
    document.querySelector('[aria-invalid="true"]') ||
    document.getElementById('form-errors') ||
    document.querySelector('#focused-action textarea, #focused-action button');
  if (target) target.focus();
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });
});
