// Served as is (not bundled), before the app's module: records every CSP violation of the page,
// including one raised while the bundle is evaluated.
window.violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.violations.push({ directive: event.violatedDirective, blocked: event.blockedURI, sample: event.sample });
});
