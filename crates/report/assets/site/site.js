// league-tables: sorting, filtering and search, added to pages that are complete without them.
// No request leaves the page: the search index is embedded in the page that searches.
(function () {
  'use strict';

  function text(el) { return (el.textContent || '').replace(/\s+/g, ' ').trim(); }
  function each(list, f) { Array.prototype.forEach.call(list, f); }

  // A polite live region per page, for what a control changed.
  var live = null;
  function announce(message) {
    if (!live) {
      live = document.createElement('div');
      live.className = 'nhsuk-u-visually-hidden';
      live.setAttribute('role', 'status');
      live.setAttribute('aria-live', 'polite');
      document.body.appendChild(live);
    }
    live.textContent = message;
  }

  // A cell's sort key: its data-sort value, else its text; numbers compare as numbers, and
  // a missing value ("[x]", "Not known") sorts after every number.
  function key(cell) {
    var raw = cell ? (cell.getAttribute('data-sort') || text(cell)) : '';
    var n = /^-?\d[\d,]*(\.\d+)?$/.test(raw) ? parseFloat(raw.replace(/,/g, '')) : NaN;
    return { n: n, t: raw.toLowerCase() };
  }
  function compare(a, b) {
    var an = !isNaN(a.n), bn = !isNaN(b.n);
    if (an && bn) { return a.n - b.n; }
    if (an !== bn) { return an ? -1 : 1; }
    return a.t < b.t ? -1 : (a.t > b.t ? 1 : 0);
  }

  function sortable(table) {
    var head = table.tHead;
    var body = table.tBodies[0];
    if (!head || !body) { return; }
    var headers = head.rows[head.rows.length - 1].cells;
    each(headers, function (th, column) {
      var label = text(th);
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'lt-sort';
      button.textContent = label;
      th.textContent = '';
      th.appendChild(button);
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        each(headers, function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var c = compare(key(a.cells[column]), key(b.cells[column]));
          return ascending ? c : -c;
        });
        each(rows, function (r) { body.appendChild(r); });
        announce('Sorted by ' + label + ', ' + (ascending ? 'ascending' : 'descending') + '.');
      });
    });
  }

  // Filters: one select per column named in data-filters, its options the column's values.
  function filterable(table) {
    var keys = (table.getAttribute('data-filters') || '').split(' ').filter(Boolean);
    var head = table.tHead;
    var body = table.tBodies[0];
    if (!keys.length || !head || !body) { return; }
    var headers = head.rows[head.rows.length - 1].cells;
    var form = document.createElement('form');
    form.className = 'lt-filters';
    form.setAttribute('aria-label', 'Filter the table');
    var selects = [];
    keys.forEach(function (k) {
      var column = -1;
      each(headers, function (th, i) { if (th.getAttribute('data-key') === k) { column = i; } });
      if (column < 0) { return; }
      var values = [];
      each(body.rows, function (r) {
        var v = text(r.cells[column]);
        if (values.indexOf(v) < 0) { values.push(v); }
      });
      values.sort();
      var id = table.id + '-filter-' + k;
      var group = document.createElement('div');
      group.className = 'nhsuk-form-group';
      var label = document.createElement('label');
      label.className = 'nhsuk-label';
      label.htmlFor = id;
      label.textContent = text(headers[column]);
      var select = document.createElement('select');
      select.className = 'nhsuk-select';
      select.id = id;
      var all = document.createElement('option');
      all.value = '';
      all.textContent = 'All';
      select.appendChild(all);
      values.forEach(function (v) {
        var o = document.createElement('option');
        o.value = v;
        o.textContent = v;
        select.appendChild(o);
      });
      group.appendChild(label);
      group.appendChild(select);
      form.appendChild(group);
      selects.push({ select: select, column: column });
    });
    function apply() {
      var shown = 0;
      each(body.rows, function (r) {
        var keep = selects.every(function (s) {
          return !s.select.value || text(r.cells[s.column]) === s.select.value;
        });
        r.hidden = !keep;
        if (keep) { shown += 1; }
      });
      announce('Showing ' + shown + ' of ' + body.rows.length + ' rows.');
    }
    selects.forEach(function (s) { s.select.addEventListener('change', apply); });
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    var region = table.closest('.lt-scroll') || table;
    region.parentNode.insertBefore(form, region);
  }

  // Search: the page's embedded index of names, codes, former names and predecessor codes.
  function searchable(form) {
    var source = document.getElementById('search-index');
    var input = form.querySelector('input[type="search"]');
    var results = document.getElementById('search-results');
    if (!source || !input || !results) { return; }
    var index = JSON.parse(source.textContent);
    var root = form.getAttribute('data-root') || '';
    function norm(s) { return s.toLowerCase().replace(/\s+/g, ' ').trim(); }
    function run() {
      var q = norm(input.value);
      results.textContent = '';
      if (q.length < 2) { announce(''); return; }
      var found = index.filter(function (t) {
        return [t.name, t.code].concat(t.aliases).some(function (s) { return norm(s).indexOf(q) >= 0; });
      });
      found.slice(0, 20).forEach(function (t) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = root + t.url;
        a.textContent = t.name + ' (' + t.code + ')';
        li.appendChild(a);
        if (t.note) { li.appendChild(document.createTextNode(': ' + t.note)); }
        results.appendChild(li);
      });
      announce(found.length === 0 ? 'No trust matches.' :
        (found.length === 1 ? '1 trust matches.' : found.length + ' trusts match.'));
    }
    input.addEventListener('input', run);
    form.addEventListener('submit', function (e) { e.preventDefault(); run(); });
    var q = new URLSearchParams(window.location.search).get('q');
    if (q) { input.value = q; run(); }
  }

  function start() {
    each(document.querySelectorAll('table[data-sortable]'), sortable);
    each(document.querySelectorAll('table[data-filters]'), filterable);
    each(document.querySelectorAll('form[data-search]'), searchable);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
