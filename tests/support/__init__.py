"""Test doubles shared by several test folders (fake model server …)."""
