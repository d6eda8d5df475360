"""Samizdat: a fast, safe, mirrorable publishing platform for independent newsrooms."""
