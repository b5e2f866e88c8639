"""Launcher: the supervisor that owns every child process of the local mesh (services + Envoy)."""
