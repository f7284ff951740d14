// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // A new organization's time zone defaults to the browser's, when the list knows it.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  document.querySelectorAll('select[data-default-from-browser]').forEach((select) => {
    const form = select.form;
    if (form && form.dataset.bound === "true") return;
    if ([...select.options].some((option) => option.value === zone)) select.value = zone;
  });
});
