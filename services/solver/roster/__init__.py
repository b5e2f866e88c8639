"""Roster planning (who works which day, with which shift): one model core for the Curtois benchmark and AIMEE."""
