// The API documentation page (/api/docs/): Swagger UI over the schema named by data-schema-url.
// Loaded as a file: the CSP forbids inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-schema-url"),
    domNode: root,
    deepLinking: true,
    // "Try it out" uses the session: unsafe methods need the CSRF token, as for any form.
    requestInterceptor: function (request) {
      request.headers["X-CSRFToken"] = csrfToken();
      return request;
    },
  });
});
