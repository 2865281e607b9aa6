// Runs before the page is drawn (a plain script in <head>, not deferred), so that
// what handgrid.js does on DOMContentLoaded moves nothing already on screen: a
// returning student's how-to panel starts closed (it is rendered open, for the
// first visit and for pages without JavaScript). Layout shift is held at zero by
// tests/test_student_loop.py.
try {
  if (window.localStorage.getItem("handgrid:v1:intro-done")) {
    document.documentElement.classList.add("intro-done");
  }
} catch (error) {
  // Storage refused (a private window): the panel stays open, as on a first visit.
}
