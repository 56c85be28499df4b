// The review screen's keys: Space or Enter shows the answer, 1 to 4 rate
// it (Again, Hard, Good, Easy). The page works without this script: "Show
// answer" is then a link and the ratings are a form's buttons.
(function () {
  "use strict";
  var show = document.getElementById("show-answer");
  var answer = document.getElementById("answer");
  if (!answer) return;
  function reveal(e) {
    if (!answer.hidden) return false;
    if (e) e.preventDefault();
    answer.hidden = false;
    if (show) show.parentNode.hidden = true;
    var good = answer.querySelector('button[data-key="3"]');
    if (good) good.focus();
    return true;
  }
  if (show) show.addEventListener("click", reveal);
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
    if (e.key === " " || e.key === "Enter") {
      // Enter on a focused rating button submits it as usual.
      if (answer.hidden) reveal(e);
      else if (e.key === " " && !(t && t.tagName === "BUTTON")) e.preventDefault();
      return;
    }
    if (!answer.hidden && e.key >= "1" && e.key <= "4") {
      var b = answer.querySelector('button[data-key="' + e.key + '"]');
      if (b) { e.preventDefault(); b.click(); }
    }
  });
})();
