// Upload page: when the chosen file has the name of an existing document, pre-select that
// document in the "new version of…" list as a suggestion. Whether the file is a new
// document or a new version stays the curator's choice: same name is no proof of same
// document (government sites call everything 附件1.docx).
(function () {
  var data = document.getElementById("same-names");
  var files = document.querySelector("#document_upload_form input[type=file]");
  var select = document.getElementById("id_replaces");
  var hint = document.getElementById("same-name-hint");
  if (!data || !files || !select || !hint) return;
  var names = JSON.parse(data.textContent);
  files.addEventListener("change", function () {
    var file = files.files[0];
    var ids = file ? names[file.name.split(/[\\/]/).pop()] : null;
    if (ids && ids.length) {
      if (!select.value) select.value = String(ids[0]);
      hint.textContent = hint.dataset.text;
      hint.hidden = false;
    } else {
      hint.hidden = true;
    }
  });
})();
