"""The API documentation page: Swagger UI served from the package, nothing from elsewhere."""
