// The queue's filters apply as soon as one changes (the page works without this: the
// "Apply filters" button submits the same GET form, so the filters stay in the URL).
const form = document.getElementById("filters");
if (form) {
  form.addEventListener("change", () => form.requestSubmit());
}
