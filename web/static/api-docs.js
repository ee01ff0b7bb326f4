// Starts Swagger UI on /docs from the app's own OpenAPI schema (a file, not an inline script: the CSP
// allows no inline code).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
