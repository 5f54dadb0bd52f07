"""Headless subcommands of ``dxdesk``; each module has ``register(subparsers)``. No Qt here."""
