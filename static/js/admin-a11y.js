/* The Django admin leaves some controls without an accessible name; this names them (WCAG 2.1: 1.3.1, 4.1.2).
 *
 * - Inputs in table cells (list_editable columns of a change list, tabular inlines): the column's heading and the
 *   row, e.g. "Position (Projektmanagement)".
 * - The split date and time inputs: the field's label and "Date:" / "Time:".
 * - select2 comboboxes (autocomplete_fields): the label of the select they stand for.
 * - The filter_horizontal widget's help icons carry aria-label on a plain span: they get role="img".
 *
 * select2 and the filter widget build their markup on load, and inlines add rows later, so it runs again whenever
 * the page changes. It only adds names that are missing. The portal's own pages never need it (they work without
 * JavaScript); loaded only by templates/admin/base_site.html. */
(function () {
  "use strict";

  function text(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function hasName(control) {
    return (control.labels && control.labels.length) || control.getAttribute("aria-label") ||
      control.getAttribute("aria-labelledby") || control.getAttribute("title");
  }

  function fieldLabel(control) {
    const row = control.closest(".form-row, fieldset, .fieldBox");
    const label = row && row.querySelector("legend, label");
    return text(label).replace(/:$/, "");
  }

  function columnLabel(cell) {
    const table = cell.closest("table");
    if (!table) return "";
    // A tabular inline's "Delete?" column: the last heading, without a class of its own.
    if (cell.classList.contains("delete")) return text(table.querySelector("thead th:last-child")).replace(/\?$/, "");
    const name = Array.from(cell.classList).find((c) => c.startsWith("field-"));
    if (!name) return "";
    const heading = table.querySelector("thead th.column-" + name.slice(6) + ", thead th." + name);
    if (!heading) return "";
    return text(heading.querySelector(".text") || heading).replace(/:$/, "");
  }

  function rowLabel(cell) {
    const row = cell.parentElement;
    const original = row.querySelector("td.original p");
    if (original && text(original)) return text(original);
    const heading = row.querySelector("th");
    return heading ? text(heading) : "";
  }

  function partLabel(control) {
    // The split date/time widget: the text right before the input ("Date:" or "Time:").
    if (!control.closest("p.datetime")) return "";
    let node = control.previousSibling;
    while (node && !(node.nodeType === Node.TEXT_NODE && node.textContent.trim())) node = node.previousSibling;
    return node ? node.textContent.trim().replace(/:$/, "") : "";
  }

  function nameControls(root) {
    root.querySelectorAll("input:not([type=hidden]), select, textarea").forEach((control) => {
      if (hasName(control)) return;
      const cell = control.closest("td");
      const parts = [];
      if (cell) {
        const column = columnLabel(cell);
        const row = rowLabel(cell);
        if (column) parts.push(row ? column + " (" + row + ")" : column);
      } else {
        const field = fieldLabel(control);
        if (field) parts.push(field);
      }
      const part = partLabel(control);
      if (part) parts.push(part);
      if (parts.length) control.setAttribute("aria-label", parts.join(" – "));
    });
  }

  function nameSelect2(root) {
    root.querySelectorAll(".select2-container").forEach((container) => {
      const select = container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") return;
      const name = select.getAttribute("aria-label") || text(select.labels && select.labels[0]).replace(/:$/, "");
      if (!name) return;
      container.querySelectorAll("[role=combobox], [role=textbox]").forEach((element) => {
        if (element.getAttribute("aria-label") !== name) element.setAttribute("aria-label", name);
      });
    });
  }

  function fixTooltips(root) {
    root.querySelectorAll("span[aria-label]:not([role])").forEach((span) => span.setAttribute("role", "img"));
  }

  function run() {
    nameControls(document);
    nameSelect2(document);
    fixTooltips(document);
  }

  // select2 may build its markup after "load" (jQuery's ready runs late), and inlines add rows later: the
  // observer names new controls in the same turn, before anything else (a screen reader, axe) looks. It watches
  // only added nodes, so the attributes set here do not wake it again.
  document.addEventListener("DOMContentLoaded", () => {
    run();
    new MutationObserver(run).observe(document.body, { childList: true, subtree: true });
  });
  window.addEventListener("load", run);
})();
