"""The manager console's static files (web/dist) over HTTP/1.1, for Envoy's catch-all route."""
