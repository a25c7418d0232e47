// Sums the work tasks' weights as they are typed (the server checks the same rule).
(function () {
  var form = document.getElementById('tasks-form');
  var out = document.getElementById('weight-total');
  if (!form || !out) return;
  function update() {
    var total = 0;
    form.querySelectorAll('input.weight').forEach(function (input) {
      var n = parseInt(input.value, 10);
      if (!isNaN(n)) total += n;
    });
    out.textContent = '比重合计：' + total + '%' + (total === 100 ? '' : '（须为100%）');
    out.className = 'weight-total' + (total === 100 ? '' : ' off');
  }
  form.addEventListener('input', update);
  update();
})();
