"""The service and composition root: settings, the Litestar app, releases, adapters, the CLI."""
