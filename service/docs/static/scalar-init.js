// Mounts the vendored Scalar API reference on #reference, with the OpenAPI document named in its data-url and the
// options in its data-configuration (service/docs/pages.py). A file rather than an inline script: the page's
// content security policy allows scripts from the service only.
"use strict";
(function () {
  const element = document.getElementById("reference");
  const configuration = JSON.parse(element.dataset.configuration || "{}");
  configuration.url = element.dataset.url;
  Scalar.createApiReference(element, configuration);
})();
